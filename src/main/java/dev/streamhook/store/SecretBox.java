package dev.streamhook.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import dev.streamhook.config.ConfigException;

/**
 * Encrypts what must be read back (connection URIs, signing secrets) with AES-256-GCM before it
 * reaches the store. The key comes from {@code STREAMHOOK_MASTER_KEY} (base64 of 32 bytes) or from
 * {@code master.key} in the data directory, created once. Thread-safe: a Cipher per call.
 */
public final class SecretBox {

    private static final String VERSION = "v1:";
    private static final int NONCE_BYTES = 12;
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    SecretBox(byte[] keyBytes) {
        this.key = new SecretKeySpec(keyBytes, "AES");
    }

    public static SecretBox load(Optional<String> masterKey, Path dataDir) {
        if (masterKey.isPresent()) {
            return new SecretBox(decodeKey(masterKey.get(), "STREAMHOOK_MASTER_KEY"));
        }
        Path file = dataDir.resolve("master.key");
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dataDir); // with a PostgreSQL store, nothing else may have made it
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                createOwnerOnly(file);
                Files.writeString(file, Base64.getEncoder().encodeToString(fresh));
            }
            return new SecretBox(decodeKey(Files.readString(file).trim(), file.toString()));
        } catch (java.io.IOException e) {
            throw new StoreException("cannot read or create the key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Creates the file readable by its owner only from the start, so the key is never briefly exposed. */
    private static void createOwnerOnly(Path file) throws java.io.IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file); // the data directory's own permissions protect it
        }
    }

    private static byte[] decodeKey(String text, String origin) {
        try {
            byte[] bytes = Base64.getDecoder().decode(text);
            if (bytes.length == 32) {
                return bytes;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below with the fix
        }
        throw new ConfigException(origin + " must be the base64 of 32 random bytes (for example: openssl rand -base64 32)");
    }

    public String encrypt(String plaintext) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return VERSION + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    public String decrypt(String sealedText) {
        if (!sealedText.startsWith(VERSION)) {
            throw new StoreException("an encrypted value in the store has an unknown format", null);
        }
        try {
            byte[] in = Base64.getDecoder().decode(sealedText.substring(VERSION.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, NONCE_BYTES));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new StoreException("cannot decrypt a secret in the store: was STREAMHOOK_MASTER_KEY or master.key changed?", e);
        }
    }
}
