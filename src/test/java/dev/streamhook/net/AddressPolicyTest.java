package dev.streamhook.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AddressPolicyTest {

    private final AddressPolicy selfHosted = new AddressPolicy(AllowedNetworks.privateNetworks());
    private final AddressPolicy hosted = new AddressPolicy(AllowedNetworks.none());
    private final AddressPolicy everything = new AddressPolicy(AllowedNetworks.parse("0.0.0.0/0,::/0"));

    /** Refused by every node, even one that allows every network: metadata, link-local and non-unicast, in every spelling. */
    static Stream<String> alwaysRefused() {
        return Stream.of(
                "169.254.169.254", "169.254.1.1", "100.100.100.200", "168.63.129.16", "fd00:ec2::254", "fd00:ec2:0:0:0:0:0:254",
                "fd00:ec2::254%1", "fe80::1", "fe80::1%1", "0.0.0.0", "0.1.2.3", "255.255.255.255", "240.0.0.1", "224.0.0.1", "239.1.2.3",
                "::", "ff02::1",
                // IPv4 inside IPv6: mapped, compatible, NAT64, 6to4, Teredo
                "::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "::a9fe:a9fe", "::169.254.169.254", "64:ff9b::169.254.169.254",
                "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "2002:a9fe:a9fe:1234::", "2001:0:4136:e378:8000:63bf:5601:5601",
                "::ffff:168.63.129.16", "2002:6464:64c8::", "::ffff:0.0.0.0", "::ffff:255.255.255.255");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("alwaysRefused")
    void metadataLinkLocalAndNonUnicastAddressesAreRefusedEvenWhenEveryNetworkIsAllowed(String address) throws Exception {
        InetAddress a = InetAddress.getByName(address); // literals: no lookup
        assertThat(everything.check(a)).as(address).hasValueSatisfying(why -> assertThat(why).contains("never allowed"));
        assertThat(selfHosted.check(a)).as(address).isPresent();
        assertThat(hosted.check(a)).as(address).isPresent();
    }

    /** Outside the public internet: allowed only where the operator allows the network. */
    static Stream<Arguments> notPublic() {
        return Stream.of(
                Arguments.of("127.0.0.1", true), Arguments.of("127.1.2.3", true), Arguments.of("::1", true), Arguments.of("10.1.2.3", true),
                Arguments.of("172.16.5.4", true), Arguments.of("172.31.255.255", true), Arguments.of("192.168.0.10", true),
                Arguments.of("fd12::1", true), Arguments.of("fc00::1", true), Arguments.of("100.64.0.1", true),
                Arguments.of("100.127.255.254", true),
                Arguments.of("::ffff:10.0.0.1", true), Arguments.of("::ffff:127.0.0.1", true), Arguments.of("::a00:1", true),
                Arguments.of("64:ff9b::10.0.0.1", true), Arguments.of("2002:0a00:0001::", true), Arguments.of("2002:7f00:1::", true),
                // special ranges "private" does not include: an operator must name them
                Arguments.of("198.18.0.1", false), Arguments.of("198.19.255.1", false), Arguments.of("192.0.0.8", false),
                Arguments.of("192.0.2.1", false), Arguments.of("198.51.100.1", false), Arguments.of("203.0.113.9", false),
                Arguments.of("2001:db8::1", false), Arguments.of("fec0::1", false), Arguments.of("64:ff9b:1::1", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notPublic")
    void addressesOutsideThePublicInternetNeedTheOperatorsAllowance(String address, boolean inPrivate) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        assertThat(hosted.check(a)).as(address).hasValueSatisfying(why -> assertThat(why).contains("STREAMHOOK_ALLOWED_NETWORKS"));
        assertThat(selfHosted.check(a).isEmpty()).as(address + " allowed by 'private'").isEqualTo(inPrivate);
        assertThat(everything.check(a)).as(address).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publicAddresses")
    void publicAddressesAreAllowedEverywhere(String address) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        assertThat(hosted.check(a)).as(address).isEmpty();
        assertThat(selfHosted.check(a)).as(address).isEmpty();
    }

    static Stream<String> publicAddresses() {
        return Stream.of("93.184.216.34", "8.8.8.8", "100.63.255.255", "100.128.0.1", "172.32.0.1", "198.20.0.1", "2606:2800:220:1:248:1893:25c8:1946",
                "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:0808:0808::1");
    }

    @Test
    void anOperatorMayAllowOneNetworkAndNotTheOthers() throws Exception {
        AddressPolicy oneSubnet = new AddressPolicy(AllowedNetworks.parse("10.20.0.0/16,fd00:1::/32"));
        assertThat(oneSubnet.check(InetAddress.getByName("10.20.3.4"))).isEmpty();
        assertThat(oneSubnet.check(InetAddress.getByName("::ffff:10.20.3.4"))).isEmpty();
        assertThat(oneSubnet.check(InetAddress.getByName("fd00:1:2::3"))).isEmpty();
        assertThat(oneSubnet.check(InetAddress.getByName("10.21.0.1"))).isPresent();
        assertThat(oneSubnet.check(InetAddress.getByName("127.0.0.1"))).isPresent();
        assertThat(oneSubnet.operatorAllowed(InetAddress.getByName("10.20.3.4"))).isTrue();
        assertThat(oneSubnet.operatorAllowed(InetAddress.getByName("8.8.8.8"))).as("public, but not the operator's own").isFalse();
    }

    @Test
    void theMessageNamesTheHostAndTheAddressItResolvedTo() throws Exception {
        assertThat(selfHosted.check("db.example.com", List.of(InetAddress.getByName("8.8.8.8"), InetAddress.getByName("198.18.0.5"))))
                .hasValue("the host 'db.example.com' resolves to 198.18.0.5, a benchmarking address (198.18.0.0/15), which this StreamHook "
                        + "does not allow (STREAMHOOK_ALLOWED_NETWORKS)");
        assertThat(selfHosted.check("169.254.169.254")).hasValue("the address 169.254.169.254 is a link-local or cloud metadata address "
                + "(169.254.0.0/16), which is never allowed");
    }

    @Test
    void aNodeThatAllowsNoPrivateNetworkDoesNotTellWhatAnInternalNameResolvesTo() throws Exception {
        assertThat(hosted.check("db.internal", List.of(InetAddress.getByName("10.0.0.5")))).hasValueSatisfying(why ->
                assertThat(why).contains("'db.internal'", "outside the public internet").doesNotContain("10.0.0.5", "10.0.0.0/8"));
    }

    @Test
    void hostsAsTheyComeOutOfAUrlAreJudgedByTheirAddress() {
        for (String host : new String[] {"[fd00:ec2::254%1]", "[::ffff:169.254.169.254]", "[::ffff:a9fe:a9fe]",
                "[64:ff9b::a9fe:a9fe]", "[2002:a9fe:a9fe::]"}) {
            assertThat(everything.check(host)).as(host).hasValueSatisfying(why -> assertThat(why).contains("never allowed"));
        }
        for (String host : new String[] {"2130706433", "127.1", "[::ffff:127.0.0.1]", "[::127.0.0.1]"}) {
            assertThat(hosted.check(host)).as(host).isPresent();
        }
    }

    @Test
    void aHostThatDoesNotResolveIsRefusedWithItsName() {
        assertThat(selfHosted.check("no-such-host.invalid")).hasValueSatisfying(why -> assertThat(why).contains("does not resolve"));
    }
}
