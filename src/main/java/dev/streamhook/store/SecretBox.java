package dev.streamhook.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import dev.streamhook.config.ConfigException;

/**
 * Encrypts what must be read back (connection URIs, signing secrets, destination headers) with AES-256-GCM before it
 * reaches the store. The key comes from {@code STREAMHOOK_MASTER_KEY} (base64 of 32 bytes) or from
 * {@code master.key} in the data directory, created once. Thread-safe: a Cipher per call.
 */
public final class SecretBox {

    /** What every value {@link #encrypt} returns starts with. */
    public static final String PREFIX = "v1:";
    private static final String VERSION = PREFIX;
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
                OwnerOnly.createDirectories(dataDir); // with a PostgreSQL store, nothing else may have made it
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                OwnerOnly.createFile(file);
                Files.writeString(file, Base64.getEncoder().encodeToString(fresh));
            }
            return new SecretBox(decodeKey(Files.readString(file).trim(), file.toString()));
        } catch (java.io.IOException e) {
            throw new StoreException("cannot read or create the key file " + file + ": " + e.getMessage(), e);
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

    /**
     * Seals {@code plaintext} bound to {@code context}: {@link #open} gives it back only with the
     * same context, so a value sealed for one account cannot be used by another. For tokens handed
     * to users (page cursors) that must be opaque and tamper-proof.
     */
    public byte[] seal(byte[] plaintext, String context) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext);
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /** What {@link #seal} sealed with the same context; empty when the value was altered or sealed for another context. */
    public Optional<byte[]> open(byte[] sealed, String context) {
        if (sealed.length < NONCE_BYTES + 16) {
            return Optional.empty();
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, NONCE_BYTES));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return Optional.of(cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES));
        } catch (javax.crypto.AEADBadTagException tampered) {
            return Optional.empty();
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
