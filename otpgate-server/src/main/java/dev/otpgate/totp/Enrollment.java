package dev.otpgate.totp;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.commons.codec.binary.Base32;

/**
 * What an authenticator app scans: the base32 secret without padding, the Key URI
 * ({@code otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=…&digits=…&period=…}, issuer in label and
 * parameter, URL-encoded) and a QR code of that URI as PNG. Shown once, at enrollment (S-21).
 */
final class Enrollment {

    /** Pixels per QR module: whole pixels keep every module the same size, which scanners rely on. */
    private static final int PIXELS_PER_MODULE = 6;

    private Enrollment() {}

    static String base32(byte[] seed) {
        return new Base32().encodeToString(seed).replace("=", "");
    }

    static String uri(String issuer, String account, String secret, OtpAlgorithm algorithm, int digits, int periodSeconds) {
        return "otpauth://totp/" + encode(issuer) + ":" + encode(account)
                + "?secret=" + secret
                + "&issuer=" + encode(issuer)
                + "&algorithm=" + algorithm.name()
                + "&digits=" + digits
                + "&period=" + periodSeconds;
    }

    static byte[] qrPng(String uri) {
        try {
            // Size 0 asks for one pixel per module; the image scales that by a whole number.
            BitMatrix matrix = new QRCodeWriter().encode(uri, BarcodeFormat.QR_CODE, 0, 0,
                    Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, 4,
                            EncodeHintType.CHARACTER_SET, "UTF-8"));
            int scale = PIXELS_PER_MODULE;
            BufferedImage image = new BufferedImage(matrix.getWidth() * scale, matrix.getHeight() * scale,
                    BufferedImage.TYPE_BYTE_BINARY);
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    image.setRGB(x, y, matrix.get(x / scale, y / scale) ? 0x000000 : 0xFFFFFF);
                }
            }
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image, "PNG", png);
            return png.toByteArray();
        } catch (WriterException e) {
            throw new IllegalStateException("the enrollment URI does not fit in a QR code", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Percent-encoding for URI components: spaces as %20, never '+'. */
    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
