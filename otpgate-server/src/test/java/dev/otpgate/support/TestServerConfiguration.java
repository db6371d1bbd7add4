package dev.otpgate.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.transaction.event.TransactionalEventListener;

/** A movable clock and a recorder of the events modules publish (as seen after commit). */
@TestConfiguration(proxyBeanMethods = false)
public class TestServerConfiguration {

    @Bean
    @Primary
    TestClock testClock() {
        return new TestClock();
    }

    @Bean
    EventRecorder eventRecorder() {
        return new EventRecorder();
    }

    public static class EventRecorder {
        private final List<Object> events = new CopyOnWriteArrayList<>();

        @TransactionalEventListener(fallbackExecution = true)
        void on(Record event) {
            if (event.getClass().getName().startsWith("dev.otpgate.")) {
                events.add(event);
            }
        }

        public <T> List<T> of(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

}
