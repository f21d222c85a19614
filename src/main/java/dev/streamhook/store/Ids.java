package dev.streamhook.store;

import java.security.SecureRandom;

/**
 * Random public ids with a type prefix ({@code src_}, {@code dst_}, {@code acc_}). Lower-case
 * letters and digits only, because a source id also names its replication slot and publication.
 */
public final class Ids {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    public static String random(String prefix, int length) {
        StringBuilder sb = new StringBuilder(prefix);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }
}
