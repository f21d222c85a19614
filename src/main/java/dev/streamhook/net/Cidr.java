package dev.streamhook.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network such as {@code 10.0.0.0/8} or {@code fc00::/7}. Immutable; the address
 * bits below the prefix are cleared on parse, so {@code 10.1.2.3/8} means {@code 10.0.0.0/8}.
 */
public final class Cidr {

    private final byte[] network;
    private final int prefixLength;

    private Cidr(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
        for (int bit = prefixLength; bit < network.length * 8; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
    }

    /**
     * Parses {@code address/length}, or a bare address meaning that one host. Only IP literals are
     * accepted (no host names, so parsing never looks anything up).
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        if (!address.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 network such as 10.0.0.0/8 or fc00::/7");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress(); // a literal: no lookup
        } catch (UnknownHostException | SecurityException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 network such as 10.0.0.0/8 or fc00::/7");
        }
        if (address.contains(":") && bytes.length == 4) {
            bytes = Addresses.mapped(bytes); // ::ffff:a.b.c.d/n: Java gives the IPv4 address, keep the IPv6 length
        }
        int max = bytes.length * 8;
        int length = max;
        if (slash >= 0) {
            String n = t.substring(slash + 1);
            if (!n.matches("\\d{1,3}") || Integer.parseInt(n) > max) {
                throw new IllegalArgumentException("'" + text + "' has a bad prefix length; it must be 0 to " + max);
            }
            length = Integer.parseInt(n);
        }
        if (bytes.length == 16 && Addresses.isIpv4Mapped(bytes) && length >= 96) {
            // ::ffff:10.0.0.0/104 is 10.0.0.0/8: addresses are compared after the same normalisation
            return new Cidr(Arrays.copyOfRange(bytes, 12, 16), length - 96);
        }
        return new Cidr(bytes, length);
    }

    /** True when {@code address} (of the same family) lies in this network. */
    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    boolean contains(byte[] a) {
        if (a.length != network.length) {
            return false;
        }
        for (int bit = 0; bit < prefixLength; bit += 8) {
            int bits = Math.min(8, prefixLength - bit);
            int mask = (0xFF << (8 - bits)) & 0xFF;
            if ((a[bit / 8] & mask) != (network[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** True when every address of this network lies in {@code other}. */
    boolean within(Cidr other) {
        return other.network.length == network.length && prefixLength >= other.prefixLength && other.contains(network);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
