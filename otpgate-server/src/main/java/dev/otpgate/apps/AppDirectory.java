package dev.otpgate.apps;

import java.util.Optional;

/** Read access to apps for other modules. */
public interface AppDirectory {

    Optional<App> find(String appId);
}
