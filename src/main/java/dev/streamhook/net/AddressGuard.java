package dev.streamhook.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Decides which hosts StreamHook may connect to (source databases, webhook endpoints). Link-local
 * and cloud metadata addresses are always refused: they are how a server-side request forgery
 * reads credentials. Loopback and private ranges are allowed only when the node says so
 * ({@code STREAMHOOK_ALLOW_PRIVATE_NETWORKS}), which a self-hosted node does by default.
 * Thread-safe and stateless but for the setting.
 */
public final class AddressGuard {

    private final boolean allowPrivateNetworks;

    public AddressGuard(boolean allowPrivateNetworks) {
        this.allowPrivateNetworks = allowPrivateNetworks;
    }

    /** Resolves {@code host}; empty when every address is allowed, else why it is refused. */
    public Optional<String> check(String host) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return Optional.of(doesNotResolve(host));
        }
        return check(host, List.of(addresses));
    }

    /**
     * Checks addresses {@code host} was already resolved to, so that a caller can connect to
     * exactly what was checked (a second lookup could answer differently: DNS rebinding). Empty
     * when every address is allowed, else why the host is refused; no address at all is refused.
     */
    public Optional<String> check(String host, List<InetAddress> addresses) {
        if (addresses.isEmpty()) {
            return Optional.of(doesNotResolve(host));
        }
        for (InetAddress a : addresses) {
            Optional<String> refused = check(a);
            if (refused.isPresent()) {
                return Optional.of("the host '" + host + "' resolves to " + a.getHostAddress() + ", " + refused.get());
            }
        }
        return Optional.empty();
    }

    private static String doesNotResolve(String host) {
        return "the host '" + host + "' does not resolve";
    }

    Optional<String> check(InetAddress a) {
        if (a.isLinkLocalAddress() || isMetadata(a)) {
            return Optional.of("a link-local or cloud metadata address, which is never allowed");
        }
        if (a.isMulticastAddress() || a.isAnyLocalAddress()) {
            return Optional.of("which is not a unicast host address");
        }
        if (!allowPrivateNetworks && (a.isLoopbackAddress() || a.isSiteLocalAddress() || isUniqueLocal(a) || isSharedAddressSpace(a))) {
            return Optional.of("a private or loopback address; set STREAMHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it");
        }
        return Optional.empty();
    }

    private static boolean isMetadata(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            // 100.100.100.200 is Alibaba Cloud's metadata service; 169.254.0.0/16 is covered as link-local
            return (b[0] & 0xFF) == 100 && (b[1] & 0xFF) == 100 && (b[2] & 0xFF) == 100 && (b[3] & 0xFF) == 200;
        }
        // fd00:ec2::254, AWS's IPv6 metadata address
        return a.getHostAddress().equalsIgnoreCase("fd00:ec2:0:0:0:0:0:254");
    }

    private static boolean isUniqueLocal(InetAddress a) {
        return a instanceof Inet6Address && (a.getAddress()[0] & 0xFE) == 0xFC;
    }

    private static boolean isSharedAddressSpace(InetAddress a) {
        byte[] b = a.getAddress();
        return a instanceof Inet4Address && (b[0] & 0xFF) == 100 && (b[1] & 0xC0) == 64;
    }
}
