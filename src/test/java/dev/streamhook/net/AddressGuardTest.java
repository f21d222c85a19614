package dev.streamhook.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressGuardTest {

    private final AddressGuard selfHosted = new AddressGuard(true);
    private final AddressGuard hosted = new AddressGuard(false);

    @Test
    void cloudMetadataAndLinkLocalAddressesAreAlwaysRefused() {
        for (String host : new String[] {"169.254.169.254", "169.254.1.1", "fe80::1", "100.100.100.200", "fd00:ec2::254"}) {
            assertThat(selfHosted.check(host)).as(host).hasValueSatisfying(why -> assertThat(why).contains("never allowed"));
            assertThat(hosted.check(host)).as(host).isPresent();
        }
    }

    @Test
    void privateAndLoopbackAddressesAreAllowedOnlyWhenTheNodeSaysSo() {
        for (String host : new String[] {"127.0.0.1", "10.1.2.3", "192.168.0.10", "172.16.5.4", "::1", "fd12::1", "100.64.0.1"}) {
            assertThat(selfHosted.check(host)).as(host).isEmpty();
            assertThat(hosted.check(host)).as(host).hasValueSatisfying(why -> assertThat(why).contains("STREAMHOOK_ALLOW_PRIVATE_NETWORKS"));
        }
    }

    @Test
    void publicAddressesAreAllowed() {
        assertThat(hosted.check("93.184.216.34")).isEmpty();
        assertThat(hosted.check("2606:2800:220:1:248:1893:25c8:1946")).isEmpty();
    }

    @Test
    void aHostThatDoesNotResolveIsRefusedWithItsName() {
        assertThat(selfHosted.check("no-such-host.invalid")).hasValueSatisfying(why -> assertThat(why).contains("does not resolve"));
    }
}
