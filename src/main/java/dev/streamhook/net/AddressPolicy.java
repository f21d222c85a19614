package dev.streamhook.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Decides which addresses StreamHook may connect to, for source databases and webhook endpoints
 * alike. One rule, in this order:
 * <ol>
 * <li>An IPv6 address that carries an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo; see
 * {@link Addresses}) is judged as that IPv4 address; a zone id ({@code %eth0}) is ignored.
 * <li>Link-local, cloud metadata, "this network" 0.0.0.0/8, reserved 240.0.0.0/4 (with the broadcast
 * address), multicast and the unspecified address are <b>always refused</b>, whatever the
 * operator allows: they are how a server-side request forgery reads a cloud's credentials, and
 * no database or webhook lives there.
 * <li>Other addresses outside the public internet (loopback, private, carrier-grade NAT,
 * benchmarking, documentation and IETF ranges) are refused unless they lie in the operator's
 * {@link AllowedNetworks} ({@code STREAMHOOK_ALLOWED_NETWORKS}).
 * <li>Public addresses are allowed.
 * </ol>
 * A host is refused when any of its addresses is refused. Callers check the very addresses they
 * connect to ({@code GuardedResolver} for webhooks, {@link GuardedSocketFactory} for PostgreSQL), so
 * a second DNS answer cannot differ from the checked one. Immutable and thread-safe.
 */
public final class AddressPolicy {

    private record Range(Cidr cidr, String what) {
    }

    private static final List<Range> ALWAYS_REFUSED = List.of(
            new Range(Cidr.parse("0.0.0.0/8"), "in the 'this network' range 0.0.0.0/8"),
            new Range(Cidr.parse("169.254.0.0/16"), "a link-local or cloud metadata address (169.254.0.0/16)"),
            new Range(Cidr.parse("100.100.100.200/32"), "a cloud metadata address (Alibaba Cloud)"),
            new Range(Cidr.parse("168.63.129.16/32"), "a cloud metadata address (Azure)"),
            new Range(Cidr.parse("224.0.0.0/4"), "a multicast address"),
            new Range(Cidr.parse("240.0.0.0/4"), "a reserved or broadcast address (240.0.0.0/4)"),
            new Range(Cidr.parse("::/128"), "the unspecified address"),
            new Range(Cidr.parse("fe80::/10"), "a link-local address (fe80::/10)"),
            new Range(Cidr.parse("fd00:ec2::254/128"), "a cloud metadata address (AWS)"),
            new Range(Cidr.parse("ff00::/8"), "a multicast address"));

    private static final List<Range> NOT_PUBLIC = List.of(
            new Range(Cidr.parse("127.0.0.0/8"), "a loopback address"),
            new Range(Cidr.parse("::1/128"), "a loopback address"),
            new Range(Cidr.parse("10.0.0.0/8"), "a private address (10.0.0.0/8)"),
            new Range(Cidr.parse("172.16.0.0/12"), "a private address (172.16.0.0/12)"),
            new Range(Cidr.parse("192.168.0.0/16"), "a private address (192.168.0.0/16)"),
            new Range(Cidr.parse("100.64.0.0/10"), "a carrier-grade NAT address (100.64.0.0/10)"),
            new Range(Cidr.parse("192.0.0.0/24"), "an IETF protocol address (192.0.0.0/24)"),
            new Range(Cidr.parse("192.0.2.0/24"), "a documentation address (192.0.2.0/24)"),
            new Range(Cidr.parse("192.88.99.0/24"), "a 6to4 relay address (192.88.99.0/24)"),
            new Range(Cidr.parse("198.18.0.0/15"), "a benchmarking address (198.18.0.0/15)"),
            new Range(Cidr.parse("198.51.100.0/24"), "a documentation address (198.51.100.0/24)"),
            new Range(Cidr.parse("203.0.113.0/24"), "a documentation address (203.0.113.0/24)"),
            new Range(Cidr.parse("fc00::/7"), "a unique local address (fc00::/7)"),
            new Range(Cidr.parse("fec0::/10"), "a site-local address (fec0::/10)"),
            new Range(Cidr.parse("100::/64"), "a discard address (100::/64)"),
            new Range(Cidr.parse("2001:db8::/32"), "a documentation address (2001:db8::/32)"),
            new Range(Cidr.parse("64:ff9b:1::/48"), "a local NAT64 address (64:ff9b:1::/48)"));

    private static final String NEVER = ", which is never allowed";
    private final AllowedNetworks allowed;

    public AddressPolicy(AllowedNetworks allowed) {
        this.allowed = allowed;
    }

    /** The operator's allowed networks, as the setting's text ({@link AllowedNetworks#parse} reads it back). */
    public AllowedNetworks allowed() {
        return allowed;
    }

    /** Resolves {@code host}; empty when every address is allowed, else why it is refused. */
    public Optional<String> check(String host) {
        try {
            return check(host, List.of(InetAddress.getAllByName(host)));
        } catch (UnknownHostException e) {
            return Optional.of(doesNotResolve(host));
        }
    }

    /**
     * Checks addresses {@code host} was already resolved to, so that a caller can connect to
     * exactly what was checked. Empty when every address is allowed, else why the host is refused;
     * no address at all is refused.
     */
    public Optional<String> check(String host, List<InetAddress> addresses) {
        if (addresses.isEmpty()) {
            return Optional.of(doesNotResolve(host));
        }
        for (InetAddress a : addresses) {
            Optional<String> refused = check(a);
            if (refused.isPresent()) {
                boolean literal = host.equalsIgnoreCase(a.getHostAddress()) || host.contains(":") || host.matches("[0-9.]+");
                if (literal) {
                    return Optional.of("the address " + host + " is " + refused.get());
                }
                if (allowed.isEmpty() && !refused.get().endsWith(NEVER)) {
                    // a node that allows no private network is one strangers use: what its internal names resolve to is not theirs to learn
                    return Optional.of("the host '" + host + "' resolves to an address outside the public internet, which this StreamHook "
                            + "does not allow (STREAMHOOK_ALLOWED_NETWORKS)");
                }
                return Optional.of("the host '" + host + "' resolves to " + a.getHostAddress() + ", " + refused.get());
            }
        }
        return Optional.empty();
    }

    /** Empty when StreamHook may connect to {@code a}, else what kind of address it is and why that is refused. */
    public Optional<String> check(InetAddress a) {
        byte[] bytes = Addresses.normalise(a.getAddress()); // getAddress() has no zone id
        for (Range r : ALWAYS_REFUSED) {
            if (r.cidr().contains(bytes)) {
                return Optional.of(r.what() + NEVER);
            }
        }
        if (allowed.contains(bytes)) {
            return Optional.empty();
        }
        for (Range r : NOT_PUBLIC) {
            if (r.cidr().contains(bytes)) {
                return Optional.of(r.what() + ", which this StreamHook does not allow (STREAMHOOK_ALLOWED_NETWORKS)");
            }
        }
        return Optional.empty();
    }

    /**
     * True when {@code a} lies in a network the operator allowed by name: a place the operator
     * trusts (their own network), where a failing connection may be described in detail.
     * Elsewhere (the public internet) a user must not learn which ports answer or which roles exist.
     */
    public boolean operatorAllowed(InetAddress a) {
        return check(a).isEmpty() && allowed.contains(Addresses.normalise(a.getAddress()));
    }

    /** When all of {@code cidr} is always refused: what it is; the allowed-networks parse refuses to name it. */
    static Optional<String> alwaysRefused(Cidr cidr) {
        return ALWAYS_REFUSED.stream().filter(r -> cidr.within(r.cidr())).map(Range::what).findFirst();
    }

    private static String doesNotResolve(String host) {
        return "the host '" + host + "' does not resolve";
    }
}
