package dev.otpgate.delivery.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.delivery.provider.DeliveryReceipt;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Receipts held until their send is recorded: one taker each, and bounded in number and in age. */
class EarlyReceiptsTests {

    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    static DeliveryReceipt receipt(String provider, String messageId) {
        return new DeliveryReceipt(provider, messageId, DeliveryReceipt.Status.DELIVERED, null, NOW);
    }

    @Test
    void takeWhenAReceiptIsHeldThenItIsAnsweredOnceAndOnlyForItsProvider() {
        EarlyReceipts early = new EarlyReceipts(10, Duration.ofMinutes(2));
        early.hold(receipt("smsc1", "5a0c"), NOW);

        assertThat(early.take("smsc2", "5a0c", NOW)).isNull();
        assertThat(early.take("smsc1", "5a0c", NOW)).isEqualTo(receipt("smsc1", "5a0c"));
        assertThat(early.take("smsc1", "5a0c", NOW)).isNull();
    }

    @Test
    void holdWhenFullThenTheOldestMakesRoom() {
        EarlyReceipts early = new EarlyReceipts(3, Duration.ofMinutes(2));
        for (int i = 1; i <= 4; i++) {
            early.hold(receipt("smsc1", "m" + i), NOW.plusSeconds(i));
        }

        assertThat(early.size()).isEqualTo(3);
        assertThat(early.take("smsc1", "m1", NOW.plusSeconds(5))).isNull();
        assertThat(early.take("smsc1", "m4", NOW.plusSeconds(5))).isNotNull();
    }

    @Test
    void takeWhenTheReceiptIsOlderThanTheMaximumAgeThenItIsGone() {
        EarlyReceipts early = new EarlyReceipts(10, Duration.ofMinutes(2));
        early.hold(receipt("smsc1", "old"), NOW);
        early.hold(receipt("smsc1", "young"), NOW.plusSeconds(60));

        assertThat(early.take("smsc1", "old", NOW.plusSeconds(121))).isNull();
        assertThat(early.take("smsc1", "young", NOW.plusSeconds(121))).isNotNull();
        assertThat(early.size()).isZero();
    }
}
