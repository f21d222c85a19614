package dev.streamhook.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import javax.net.SocketFactory;

/**
 * The sockets PgJDBC opens to a user's database: each resolves the host itself, checks every
 * address with the {@link AddressPolicy} and connects only to a checked address, so the address
 * connected to is the address checked (a DNS server answering a public address to the check and a
 * private one to the connect, "DNS rebinding", gets nowhere). TLS keeps the host name: PgJDBC
 * wraps this socket and verifies the certificate against the name in the URL.
 *
 * <p>PgJDBC builds one per connection from its {@code socketFactory} property (the class name;
 * {@link #properties(AllowedNetworks)} sets it) with {@code socketFactoryArg}, the allowed networks
 * as text; that is the driver's documented extension point, and a user's URI cannot set either
 * ({@code ConnectionSpec} refuses both). Stateless apart from the policy; thread-safe.
 */
public final class GuardedSocketFactory extends SocketFactory {

    private final AddressPolicy policy;

    /** Called by PgJDBC with {@code socketFactoryArg}. */
    public GuardedSocketFactory(String allowedNetworks) {
        this(new AddressPolicy(AllowedNetworks.parse(allowedNetworks)));
    }

    GuardedSocketFactory(AddressPolicy policy) {
        this.policy = policy;
    }

    /** The driver properties that make PgJDBC connect through this factory with {@code allowed}. */
    public static java.util.Properties properties(AllowedNetworks allowed) {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("socketFactory", GuardedSocketFactory.class.getName());
        p.setProperty("socketFactoryArg", allowed.toString());
        return p;
    }

    @Override
    public Socket createSocket() {
        return new GuardedSocket(policy);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(InetSocketAddress.createUnresolved(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
        throw new UnsupportedOperationException("binding a local address is not supported");
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
        throw new UnsupportedOperationException("binding a local address is not supported");
    }

    /** A socket whose connect resolves the name given, checks it, and connects to a checked address. */
    private static final class GuardedSocket extends Socket {
        private final AddressPolicy policy;

        GuardedSocket(AddressPolicy policy) {
            this.policy = policy;
        }

        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            if (!(endpoint instanceof InetSocketAddress target)) {
                throw new IOException("not an internet address: " + endpoint);
            }
            // the driver may have resolved the name already; that answer is not trusted: resolve once here, check, connect to it
            String host = target.getHostString();
            List<InetAddress> addresses;
            try {
                addresses = List.of(InetAddress.getAllByName(host));
            } catch (UnknownHostException e) {
                throw new AddressRefusedException(policy.check(host, List.of()).orElseThrow());
            }
            Optional<String> refused = policy.check(host, addresses);
            if (refused.isPresent()) {
                throw new AddressRefusedException(refused.get());
            }
            long deadline = timeout == 0 ? 0 : System.nanoTime() + timeout * 1_000_000L;
            IOException last = null;
            for (InetAddress a : addresses) {
                int left = timeout == 0 ? 0 : (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
                if (timeout != 0 && deadline - System.nanoTime() <= 0) {
                    throw last != null ? last : new SocketTimeoutException("connect timed out");
                }
                try {
                    super.connect(new InetSocketAddress(a, target.getPort()), left);
                    return;
                } catch (IOException e) {
                    last = e;
                    if (isClosed()) {
                        throw e; // a failed connect closes the socket: no second address on it
                    }
                }
            }
            throw last;
        }
    }
}
