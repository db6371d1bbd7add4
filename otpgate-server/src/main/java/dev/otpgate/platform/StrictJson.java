package dev.otpgate.platform;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * Request bodies are read exactly as documented (S-29): a key that appears twice in one object is refused
 * rather than the last one winning, and a time is an RFC 3339 string with its offset ({@code
 * 2030-01-01T00:00:00Z}), never a number or a string of digits taken as epoch seconds. Both answer 400 naming
 * the field.
 */
@Configuration(proxyBeanMethods = false)
class StrictJson {

    @Bean
    JsonMapperBuilderCustomizer strictJsonReading() {
        return builder -> builder.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .addModule(new SimpleModule("otpgate-strict-times").addDeserializer(Instant.class, new Rfc3339Instant()));
    }

    /** An {@link Instant} from an RFC 3339 date-time string with an offset, and from nothing else. */
    static final class Rfc3339Instant extends ValueDeserializer<Instant> {

        @Override
        public Instant deserialize(JsonParser parser, DeserializationContext context) {
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                return (Instant) context.handleUnexpectedToken(Instant.class, parser);
            }
            String text = parser.getString();
            try {
                return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeException e) {
                return (Instant) context.handleWeirdStringValue(Instant.class, text,
                        "must be an RFC 3339 date-time with an offset, such as 2030-01-01T00:00:00Z");
            }
        }
    }
}
