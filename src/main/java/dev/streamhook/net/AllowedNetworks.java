package dev.streamhook.net;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The networks outside the public internet that an operator lets StreamHook connect to (sources
 * and destinations alike): {@code STREAMHOOK_ALLOWED_NETWORKS}. Parsed here and only here, from a
 * comma-separated list of CIDRs and the words {@code private} (loopback, RFC 1918, unique local
 * fc00::/7 and carrier-grade NAT 100.64.0.0/10) and {@code none}. Networks that are always refused
 * (link-local, cloud metadata...) cannot be named: the parse says so rather than silently ignoring
 * them. Immutable.
 */
public record AllowedNetworks(List<Cidr> networks) {

    /** What {@code private} stands for. */
    public static final List<Cidr> PRIVATE = List.of(
            Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"), Cidr.parse("10.0.0.0/8"), Cidr.parse("172.16.0.0/12"),
            Cidr.parse("192.168.0.0/16"), Cidr.parse("fc00::/7"), Cidr.parse("100.64.0.0/10"));

    public AllowedNetworks {
        networks = List.copyOf(networks);
    }

    public static AllowedNetworks none() {
        return new AllowedNetworks(List.of());
    }

    public static AllowedNetworks privateNetworks() {
        return new AllowedNetworks(PRIVATE);
    }

    /**
     * Parses the setting's text; {@link #toString()} gives text this parses back to the same value.
     *
     * @throws IllegalArgumentException naming the part that is wrong (the caller adds the variable's name)
     */
    public static AllowedNetworks parse(String text) {
        LinkedHashSet<Cidr> networks = new LinkedHashSet<>();
        List<String> parts = List.of(text.split(",", -1));
        for (String raw : parts) {
            String part = raw.trim().toLowerCase(Locale.ROOT);
            switch (part) {
                case "private" -> networks.addAll(PRIVATE);
                case "none" -> {
                    if (parts.size() > 1) {
                        throw new IllegalArgumentException("'none' cannot be combined with other networks");
                    }
                }
                case "" -> throw new IllegalArgumentException("has an empty entry; list CIDRs separated by commas, "
                        + "such as private,198.18.0.0/15, or write none");
                default -> {
                    Cidr cidr = Cidr.parse(part);
                    AddressPolicy.alwaysRefused(cidr).ifPresent(why -> {
                        throw new IllegalArgumentException("'" + raw.trim() + "' is " + why + ", which StreamHook never connects to");
                    });
                    networks.add(cidr);
                }
            }
        }
        return new AllowedNetworks(new ArrayList<>(networks));
    }

    boolean contains(byte[] address) {
        for (Cidr c : networks) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }

    @Override
    public String toString() {
        return networks.isEmpty() ? "none" : networks.stream().map(Cidr::toString).collect(Collectors.joining(","));
    }
}
