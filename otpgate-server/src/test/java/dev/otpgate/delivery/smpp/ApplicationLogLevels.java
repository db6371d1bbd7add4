package dev.otpgate.delivery.smpp;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.io.ClassPathResource;

/**
 * The {@code logging.level.*} settings of {@code application.yml}, applied to Logback as the server applies them,
 * for tests that check what an operator would read without starting a server.
 */
final class ApplicationLogLevels {

    private ApplicationLogLevels() {}

    /** Applies the shipped levels; returns the levels they replaced, for {@link #restore}. */
    static Map<String, Level> apply() {
        Map<String, String> levels;
        try {
            levels = new Binder(ConfigurationPropertySources.from(
                    new YamlPropertySourceLoader().load("application", new ClassPathResource("application.yml"))))
                    .bind("logging.level", Bindable.mapOf(String.class, String.class)).orElse(Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Level> previous = new LinkedHashMap<>();
        levels.forEach((name, level) -> {
            Logger logger = logger(name);
            previous.put(name, logger.getLevel());
            // YAML reads an unquoted OFF as false; Spring Boot takes false for OFF.
            logger.setLevel("false".equalsIgnoreCase(level) ? Level.OFF : Level.toLevel(level));
        });
        return previous;
    }

    static void restore(Map<String, Level> previous) {
        previous.forEach((name, level) -> logger(name).setLevel(level));
    }

    private static Logger logger(String name) {
        return (Logger) LoggerFactory.getLogger("root".equals(name) ? org.slf4j.Logger.ROOT_LOGGER_NAME : name);
    }
}
