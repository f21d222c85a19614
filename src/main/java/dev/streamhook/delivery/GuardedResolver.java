package dev.streamhook.delivery;

import dev.streamhook.net.AddressPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * Resolves a webhook host once and hands the HTTP client only addresses the {@link AddressPolicy}
 * allowed, so the connection goes to exactly what was checked: no second lookup a rebinding DNS
 * server could answer differently.
 *
 * <p>A host is refused when any of its addresses is refused, not filtered down to the allowed
 * ones: that is the rule the API applies when the destination is saved, and a name that mixes a
 * public address with a private or metadata one is either a mistake or an attack.
 *
 * <p>Thread-safe; Jetty calls it on its own threads when it opens a new connection.
 */
final class GuardedResolver implements SocketAddressResolver {

    /** Why a destination was not connected to; the sender records it as "destination refused: ...". */
    static class RefusedDestination extends Exception {
        RefusedDestination(String why) {
            super(why, null, false, false);
        }
    }

    /** The host name did not resolve: refused like the rest, recorded as a {@code dns} error. */
    static final class UnresolvedDestination extends RefusedDestination {
        UnresolvedDestination(String why) {
            super(why);
        }
    }

    private final SocketAddressResolver dns;
    private final AddressPolicy guard;

    GuardedResolver(SocketAddressResolver dns, AddressPolicy guard) {
        this.dns = dns;
        this.guard = guard;
    }

    @Override
    public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
        dns.resolve(host, port, context, new Promise<>() {
            @Override
            public void succeeded(List<InetSocketAddress> resolved) {
                List<InetAddress> addresses = resolved.stream().map(InetSocketAddress::getAddress).toList();
                Optional<String> refused = guard.check(host, addresses);
                if (refused.isPresent()) {
                    promise.failed(new RefusedDestination(refused.get()));
                } else {
                    promise.succeeded(resolved);
                }
            }

            @Override
            public void failed(Throwable failure) {
                promise.failed(failure instanceof UnknownHostException
                        ? new UnresolvedDestination(guard.check(host, List.of()).orElseThrow())
                        : failure);
            }
        });
    }
}
