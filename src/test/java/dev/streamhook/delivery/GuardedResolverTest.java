package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.net.AddressPolicy;
import dev.streamhook.net.AllowedNetworks;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.junit.jupiter.api.Test;

class GuardedResolverTest {

    private static InetSocketAddress at(String literal) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(literal), 443); // literals: no lookup
    }

    private static CompletableFuture<List<InetSocketAddress>> resolve(SocketAddressResolver dns, AddressPolicy guard) {
        CompletableFuture<List<InetSocketAddress>> result = new CompletableFuture<>();
        new GuardedResolver(dns, guard).resolve("hooks.example.com", 443, Map.of(), Promise.from(result));
        return result;
    }

    @Test
    void allowedAddressesArePassedOnUnchangedSoTheClientConnectsToExactlyThose() throws Exception {
        List<InetSocketAddress> answer = List.of(at("93.184.216.34"), at("2606:2800:220:1:248:1893:25c8:1946"));

        assertThat(resolve((h, p, c, promise) -> promise.succeeded(answer), new AddressPolicy(AllowedNetworks.none())).get()).isEqualTo(answer);
    }

    @Test
    void oneRefusedAddressRefusesTheHost() throws Exception {
        List<InetSocketAddress> answer = List.of(at("93.184.216.34"), at("10.0.0.5"));

        assertThat(resolve((h, p, c, promise) -> promise.succeeded(answer), new AddressPolicy(AllowedNetworks.none())))
                .failsWithin(java.time.Duration.ofSeconds(1))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause()
                .isInstanceOf(GuardedResolver.RefusedDestination.class)
                .withMessage("the host 'hooks.example.com' resolves to an address outside the public internet, which this "
                        + "StreamHook does not allow (STREAMHOOK_ALLOWED_NETWORKS)");
    }

    @Test
    void aHostThatDoesNotResolveIsRefusedWithItsName() {
        assertThat(resolve((h, p, c, promise) -> promise.failed(new UnknownHostException(h)), new AddressPolicy(AllowedNetworks.privateNetworks())))
                .failsWithin(java.time.Duration.ofSeconds(1))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause()
                .isInstanceOf(GuardedResolver.RefusedDestination.class)
                .withMessage("the host 'hooks.example.com' does not resolve");
    }
}
