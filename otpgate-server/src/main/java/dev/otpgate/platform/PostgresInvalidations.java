package dev.otpgate.platform;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Cache invalidations through PostgreSQL {@code LISTEN/NOTIFY}: {@code pg_notify} inside the changing transaction
 * (PostgreSQL delivers it when, and only if, the transaction commits) and one connection of its own per node,
 * outside the pool, that listens. It reconnects after a failure and then reports that messages may have been missed.
 */
final class PostgresInvalidations implements Invalidations.Transport {

    static final String CHANNEL = "otpgate_invalidation";
    private static final Logger log = LoggerFactory.getLogger(PostgresInvalidations.class);

    private final JdbcClient jdbc;
    private final String url;
    private final String user;
    private final String password;
    private final Thread listener;
    private volatile boolean running = true;

    PostgresInvalidations(JdbcClient jdbc, String url, String user, String password, Consumer<String> received,
            Runnable missedSome) {
        this.jdbc = jdbc;
        this.url = url;
        this.user = user;
        this.password = password;
        this.listener = Thread.ofPlatform().daemon().name("cache-invalidation-listener")
                .unstarted(() -> listen(received, missedSome));
        this.listener.start();
    }

    @Override
    public boolean transactional() {
        return true;
    }

    @Override
    public void send(String message) {
        jdbc.sql("select pg_notify(?, ?)").params(CHANNEL, message).query(rs -> {});
    }

    private void listen(Consumer<String> received, Runnable missedSome) {
        boolean lost = false;
        while (running) {
            try (Connection connection = DriverManager.getConnection(url, user, password)) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                if (lost) {
                    log.info("Listening for cache invalidations again");
                }
                missedSome.run();
                lost = false;
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(500);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            received.accept(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running && !lost) {
                    log.warn("Lost the cache invalidation listener ({}); retrying every second, caches fall back on "
                            + "their TTL", e.getClass().getSimpleName());
                }
                lost = true;
                pause();
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        listener.interrupt();
    }
}
