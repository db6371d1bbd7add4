package dev.otpgate.totp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.io.ByteArrayInputStream;
import java.security.SecureRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class EnrollmentTests {

    @Test
    void qrPngWhenDecodedThenGivesBackExactlyTheUriForManyRandomFactors_S21() throws Exception {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 500; i++) {
            OtpAlgorithm algorithm = OtpAlgorithm.values()[i % 3];
            byte[] seed = new byte[algorithm.seedBytes()];
            random.nextBytes(seed);
            String account = "user " + random.nextInt(1_000_000) + "@example.com";
            String uri = Enrollment.uri("Acme Bank & Co", account, Enrollment.base32(seed), algorithm, 6 + 2 * (i % 2), 30);
            var image = ImageIO.read(new ByteArrayInputStream(Enrollment.qrPng(uri)));
            String decoded = new QRCodeReader()
                    .decode(new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image))),
                    // The PNG is the bare code with its quiet zone. ZXing's finder-pattern detector, made for camera
                    // frames, misreads about 1 in 200 such synthetic images; the pure-barcode mode reads them all.
                    java.util.Map.of(com.google.zxing.DecodeHintType.PURE_BARCODE, Boolean.TRUE)).getText();
            assertThat(decoded).isEqualTo(uri);
        }
    }

    @Test
    void uriWhenIssuerAndAccountNeedEncodingThenPercentEncodedWithoutPadding() {
        String uri = Enrollment.uri("Acme Bank", "jane+test@example.com", Enrollment.base32(new byte[20]), OtpAlgorithm.SHA1, 6, 30);
        assertThat(uri).isEqualTo("otpauth://totp/Acme%20Bank:jane%2Btest%40example.com?secret=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                + "&issuer=Acme%20Bank&algorithm=SHA1&digits=6&period=30");
    }
}
