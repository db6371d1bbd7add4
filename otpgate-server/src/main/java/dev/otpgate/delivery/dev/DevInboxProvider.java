package dev.otpgate.delivery.dev;

import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.SendResult;
import dev.otpgate.platform.OtpgateProperties;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The dev inbox: instead of sending, keeps the last messages (1,000 by default, for an hour at most, trimmed every
 * 10 seconds) in the database, readable with
 * an admin key at {@code GET /v1/dev/messages}. On in embedded mode, always off in production mode. It serves
 * any channel that has no configured provider. Kept in the database, not in memory, so that every node of a
 * test cluster sees the same inbox.
 */
@Component
@ConditionalOnProperty(name = "otpgate.dev-inbox.enabled", havingValue = "true", matchIfMissing = true)
public class DevInboxProvider implements Provider {

    public record Message(long id, String channel, String to, String subject, String body, java.time.Instant createdAt) {}

    private final JdbcClient jdbc;
    private final Clock clock;
    private final int capacity;
    private final java.time.Duration retention;

    DevInboxProvider(JdbcClient jdbc, Clock clock, OtpgateProperties properties) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.capacity = properties.devInbox().capacity();
        this.retention = properties.devInbox().retention();
    }

    @Override
    public String id() {
        return "dev-inbox";
    }

    @Override
    public boolean serves(String channel) {
        return true;
    }

    @Override
    public SendResult send(OutboundMessage message) {
        jdbc.sql("insert into dev_messages (channel, recipient, body, created_at) values (?, ?, ?, ?)")
                .params(message.channel(), message.to(),
                        message.channel().equals("email") ? "Subject: " + message.subject() + "\n\n" + message.text() : message.text(),
                        Timestamp.from(clock.instant()))
                .update();
        return new SendResult(null, message.channel().equals("sms") ? message.segments() : null,
                message.channel().equals("sms") ? message.encoding() : null);
    }

    /**
     * Keeps the last {@code capacity} messages, none older than {@code retention} (they hold codes and
     * destinations in clear, S-43). Run by a timer, not after each send: parallel deletes of the same rows
     * deadlocked, and a failure after a send made the worker send again.
     */
    int trim() {
        int old = jdbc.sql("delete from dev_messages where created_at < ?")
                .param(Timestamp.from(clock.instant().minus(retention))).update();
        return old + jdbc.sql("delete from dev_messages where id <= (select max(id) from dev_messages) - ?").param(capacity).update();
    }

    /** Newest first; {@code to} is a normalised destination or {@code null} for all. */
    List<Message> messages(String to, int limit) {
        String where = to == null ? "" : " where recipient = :to";
        var statement = jdbc.sql("select id, channel, recipient, body, created_at from dev_messages" + where
                + " order by id desc limit :limit").param("limit", limit);
        if (to != null) {
            statement = statement.param("to", to);
        }
        return statement.query((rs, row) -> new Message(rs.getLong("id"), rs.getString("channel"),
                rs.getString("recipient"), null, rs.getString("body"), rs.getTimestamp("created_at").toInstant())).list();
    }
}
