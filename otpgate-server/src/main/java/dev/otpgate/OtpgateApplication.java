package dev.otpgate;

import dev.otpgate.access.ApiKeySecrets;
import java.security.SecureRandom;
import java.util.Base64;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** otpgate: a self-hosted verification server. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class OtpgateApplication {

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("generate-key")) {
            // For OTPGATE_BOOTSTRAP_ADMIN_KEY in scripted setups.
            System.out.println(ApiKeySecrets.generate());
            return;
        }
        if (args.length == 1 && args[0].equals("generate-master-key")) {
            // For OTPGATE_MASTER_KEY: 32 random bytes, base64.
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            System.out.println(Base64.getEncoder().encodeToString(key));
            return;
        }
        if (args.length > 0 && args[0].equals("audit")) {
            // Offline tools: no server, no database.
            System.exit(dev.otpgate.audit.AuditCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length),
                    new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true)));
        }
        SpringApplication.run(OtpgateApplication.class, args);
    }
}
