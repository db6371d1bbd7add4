package dev.otpgate.delivery.provider;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * A source of providers built from configuration ({@code otpgate.providers.<id>.type = twilio}, …): each
 * adapter sub-package contributes one bean of this type holding the providers of its type.
 */
public interface ProviderSource {

    List<Provider> providers();

    /** The ids under {@code otpgate.providers} whose {@code type} is {@code type}, sorted. */
    static List<String> idsOfType(Binder binder, String type) {
        return binder.bind("otpgate.providers", Bindable.mapOf(String.class, Typed.class)).orElse(Map.of())
                .entrySet().stream()
                .filter(entry -> type.equals(entry.getValue().type()))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    /** Only the {@code type} key of a provider entry. */
    record Typed(String type) {}
}
