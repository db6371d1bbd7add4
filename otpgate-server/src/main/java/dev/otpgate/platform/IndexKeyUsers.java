package dev.otpgate.platform;

import java.util.List;

/**
 * Something that keeps blind indexes it cannot recompute (it holds no plaintext to compute them from), such as
 * an app's test destinations. Retiring an index key is refused while any holder still names records under it.
 */
public interface IndexKeyUsers {

    /** Human-readable names of what still holds an index made under {@code keyId} ({@code app app_… test destinations}). */
    List<String> stillUsing(int keyId);

    /** The id of the index key that made {@code index}: Tink writes it after a one-byte version in every tag. */
    static int keyIdOf(byte[] index) {
        return index.length < 5 ? 0 : java.nio.ByteBuffer.wrap(index, 1, 4).getInt();
    }
}
