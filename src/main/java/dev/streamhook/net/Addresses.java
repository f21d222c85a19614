package dev.streamhook.net;

import java.util.Arrays;

/**
 * The IPv4 address an IPv6 address carries, when it carries one a network would deliver to: an
 * IPv4-mapped ({@code ::ffff:a.b.c.d}), IPv4-compatible ({@code ::a.b.c.d}), NAT64
 * ({@code 64:ff9b::/96}), 6to4 ({@code 2002::/16}, bits 16 to 47) or Teredo ({@code 2001::/32}, the
 * client address inverted in the last 32 bits) address. The address policy checks that IPv4
 * address, so {@code ::ffff:169.254.169.254} is the metadata address it is. Stateless.
 */
final class Addresses {

    private Addresses() {
    }

    /** The raw address to check: the embedded IPv4 address when there is one, else the address as given. */
    static byte[] normalise(byte[] a) {
        if (a.length != 16) {
            return a;
        }
        if (isIpv4Mapped(a) || isIpv4Compatible(a) || startsWith(a, 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0)) {
            return Arrays.copyOfRange(a, 12, 16);
        }
        if (startsWith(a, 0x20, 0x02)) {
            return Arrays.copyOfRange(a, 2, 6);
        }
        if (startsWith(a, 0x20, 0x01, 0x00, 0x00)) {
            byte[] client = Arrays.copyOfRange(a, 12, 16);
            for (int i = 0; i < 4; i++) {
                client[i] = (byte) ~client[i];
            }
            return client;
        }
        return a;
    }

    static boolean isIpv4Mapped(byte[] a) {
        return a.length == 16 && startsWith(a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff);
    }

    /** {@code ::a.b.c.d}, but not {@code ::} and {@code ::1}, which are IPv6's own unspecified and loopback addresses. */
    private static boolean isIpv4Compatible(byte[] a) {
        if (!startsWith(a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) {
            return false;
        }
        boolean onlyLastByte = a[12] == 0 && a[13] == 0 && a[14] == 0;
        return !(onlyLastByte && (a[15] & 0xFF) <= 1);
    }

    /** {@code ::ffff:} followed by the four bytes of {@code ipv4}. */
    static byte[] mapped(byte[] ipv4) {
        byte[] a = new byte[16];
        a[10] = (byte) 0xff;
        a[11] = (byte) 0xff;
        System.arraycopy(ipv4, 0, a, 12, 4);
        return a;
    }

    private static boolean startsWith(byte[] a, int... prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if ((a[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
