package dev.streamhook.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * The socket PgJDBC connects with trusts no address handed to it: it resolves the name itself,
 * checks what it got and connects to that, whatever address the driver looked up earlier (the
 * answer a rebinding DNS server would have made differ). Traffic stays on loopback.
 */
class GuardedSocketFactoryTest {

    private static InetSocketAddress localhostClaimingToBe(byte[] earlierAnswer, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByAddress("localhost", earlierAnswer), port);
    }

    @Test
    void aNameThatResolvesToARefusedAddressIsRefusedBeforeAnyConnection() throws Exception {
        Socket s = new GuardedSocketFactory(new AddressPolicy(AllowedNetworks.none())).createSocket();

        assertThatThrownBy(() -> s.connect(InetSocketAddress.createUnresolved("localhost", 5432), 1_000))
                .isInstanceOf(AddressRefusedException.class).hasMessageContaining("'localhost'");
        assertThat(s.isConnected()).isFalse();
    }

    @Test
    void theConnectionGoesToTheAddressTheSocketCheckedNotToTheOneHandedToIt() throws Exception {
        InetAddress resolved = InetAddress.getAllByName("localhost")[0];
        // handed the other family's loopback, where nothing listens: a socket that used it would be refused
        byte[] handed = resolved instanceof java.net.Inet4Address ? InetAddress.getByName("::1").getAddress() : new byte[] {127, 0, 0, 1};
        try (ServerSocket listener = new ServerSocket(0, 50, resolved);
             Socket s = new GuardedSocketFactory(new AddressPolicy(AllowedNetworks.privateNetworks())).createSocket()) {
            s.connect(localhostClaimingToBe(handed, listener.getLocalPort()), 2_000);

            assertThat(s.getInetAddress()).isEqualTo(resolved);
        }
    }

    @Test
    void theFactoryPgJdbcBuildsFromItsArgumentAppliesTheSameNetworks() {
        GuardedSocketFactory fromText = new GuardedSocketFactory(AllowedNetworks.none().toString());

        assertThatThrownBy(() -> fromText.createSocket("127.0.0.1", 5432)).isInstanceOf(AddressRefusedException.class);
    }
}
