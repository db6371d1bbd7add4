package dev.otpgate.platform;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.time.Clock;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.observation.SecurityObservationSettings;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

@Configuration(proxyBeanMethods = false)
class PlatformConfiguration {

    /** Every module takes time from this clock, so tests can move it (S-09). */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Strict JSON (S-29): a number or boolean where text is expected, or text where a number is expected, is a
     * wrong type and answers 400 naming the field, instead of being quietly converted.
     */
    @Bean
    JsonMapperBuilderCustomizer strictCoercion() {
        return builder -> builder
                .withCoercionConfig(LogicalType.Textual, config -> config
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Integer, config -> config
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Boolean, config -> config
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail));
    }

    /**
     * No Micrometer observation around each of Spring Security's filters, its authentication and its
     * authorization: with an observation registry present, Spring Security wraps every filter of every chain in
     * one, which cost about 3 % of the server's CPU per request (bench/README.md) for timers nothing reads. Each
     * request is still timed as a whole ({@code http.server.requests}), refusals included.
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * The OpenAPI schemas name properties as the API does (snake_case). springdoc reads models with its own
     * Jackson 2 mapper, which does not see the application's Jackson 3 naming strategy.
     */
    @Bean
    ModelResolver snakeCaseModelResolver() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }

    @Bean
    OpenAPI otpgateOpenApi() {
        return new OpenAPI()
                .info(new Info().title("otpgate API").version("v1")
                        .description("Self-hosted verification server: one-time codes over SMS, voice, WhatsApp and "
                                + "email. Errors are RFC 9457 problem details (application/problem+json) with a stable "
                                + "type https://otpgate.dev/problems/<slug>. Field names are snake_case; times are RFC 3339 UTC.")
                        .license(new License().name("Apache-2.0")))
                .components(new Components().addSecuritySchemes("apiKey", new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("otpg_…")
                        .description("An API key (otpg_…) in the Authorization header; never in the URL.")))
                .addSecurityItem(new SecurityRequirement().addList("apiKey"));
    }
}
