package dev.otpgate.platform;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The embedded default certificate: a local CA (its private key is discarded once it has signed) and a server
 * certificate for localhost, 127.0.0.1, ::1 and the host name, written under {@code <data-dir>/tls/}.
 * Clients trust {@code ca.pem} ({@code curl --cacert data/tls/ca.pem}). Generated once; later starts reuse it.
 */
final class SelfSignedTls {

    record Material(Path caCertificate, Path certificateChain, Path privateKey) {}

    private static final Duration VALIDITY = Duration.ofDays(825);

    private SelfSignedTls() {}

    static Material ensure(Path dir) {
        Material material = new Material(dir.resolve("ca.pem"), dir.resolve("server.pem"), dir.resolve("server-key.pem"));
        if (Files.exists(material.certificateChain()) && Files.exists(material.privateKey())) {
            return material;
        }
        try {
            Files.createDirectories(dir);
            generate(material);
            return material;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the generated TLS certificate under " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate the TLS certificate", e);
        }
    }

    private static void generate(Material material) throws GeneralSecurityException, OperatorCreationException, IOException {
        SecureRandom random = new SecureRandom();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        KeyPair caKeys = generator.generateKeyPair();
        KeyPair serverKeys = generator.generateKeyPair();
        Instant now = Instant.now();
        Date notBefore = Date.from(now.minus(Duration.ofHours(1)));
        Date notAfter = Date.from(now.plus(VALIDITY));

        X500Name caName = new X500Name("CN=otpgate local CA " + Ids.random(8) + ",O=otpgate");
        X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(
                caName, new BigInteger(128, random), notBefore, notAfter, caName, caKeys.getPublic());
        ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate caCertificate = new JcaX509CertificateConverter()
                .getCertificate(ca.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));

        X509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(caCertificate, new BigInteger(128, random),
                notBefore, notAfter, new X500Name("CN=localhost,O=otpgate"), serverKeys.getPublic());
        server.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        server.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        server.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        server.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames());
        X509Certificate serverCertificate = new JcaX509CertificateConverter()
                .getCertificate(server.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));

        write(material.privateKey(), pem(new JcaPKCS8Generator(serverKeys.getPrivate(), null).generate()));
        write(material.caCertificate(), pem(caCertificate));
        write(material.certificateChain(), pem(serverCertificate) + pem(caCertificate));
    }

    private static GeneralNames subjectAlternativeNames() {
        List<GeneralName> names = new ArrayList<>(List.of(
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")));
        try {
            String host = InetAddress.getLocalHost().getHostName();
            if (host != null && !host.isBlank() && !host.equals("localhost") && host.matches("[A-Za-z0-9.-]+")) {
                names.add(new GeneralName(GeneralName.dNSName, host));
            }
        } catch (IOException e) {
            // No resolvable host name: localhost and the loopback addresses still work.
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    private static void write(Path target, String content) throws IOException {
        // Owner-only, like everything in the data directory (DataDirectoryGuard): the operator hands ca.pem to
        // clients by copying it.
        Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        Files.writeString(temp, content, StandardCharsets.US_ASCII);
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void restrictToOwner(Path path) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the operator protects the data directory.
        }
    }
}
