package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.store.Signing;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SignatureHeadersTest {

    private static final byte[] BODY = "{\"id\":\"evt_1\",\"after\":{\"note\":\"Zoë\"}}".getBytes(StandardCharsets.UTF_8);
    private static final String KEY_TEXT = "0123456789abcdef0123456789abcdef";
    private static final String NEW = "whsec_" + Base64.getEncoder().encodeToString(KEY_TEXT.getBytes(StandardCharsets.UTF_8));
    private static final String OLD = "old-plain-secret";
    private static final long NOW = 1_700_000_000_123L;

    @Test
    void thePagesSchemeSendsOneSha256HeaderOfTheBodyWithTheSecretsTextAsKey() throws Exception {
        Map<String, String> h = SignatureHeaders.of(Signing.of("whsec_your_signing_secret"), "evt_1", NOW, BODY);
        assertThat(h).containsOnlyKeys("X-StreamHook-Signature");
        assertThat(h.get("X-StreamHook-Signature")).isEqualTo("sha256=" + java.util.HexFormat.of().formatHex(
                hmac("whsec_your_signing_secret".getBytes(StandardCharsets.UTF_8), BODY)));
    }

    @Test
    void anUnsignedDestinationGetsNoSignatureHeaders() {
        assertThat(SignatureHeaders.of(new Signing(Signing.Scheme.BOTH, null, null, 0), "evt_1", NOW, BODY)).isEmpty();
    }

    @Test
    void standardWebhooksSignIdTimestampAndBodyWithTheDecodedKey() throws Exception {
        Map<String, String> h = SignatureHeaders.of(new Signing(Signing.Scheme.STANDARD_WEBHOOKS, NEW, null, 0), "evt_1", NOW, BODY);
        assertThat(h).containsOnlyKeys("webhook-id", "webhook-timestamp", "webhook-signature");
        assertThat(h.get("webhook-id")).isEqualTo("evt_1");
        assertThat(h.get("webhook-timestamp")).isEqualTo("1700000000");
        byte[] signed = ("evt_1.1700000000." + new String(BODY, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        assertThat(h.get("webhook-signature")).isEqualTo("v1," + Base64.getEncoder().encodeToString(
                hmac(KEY_TEXT.getBytes(StandardCharsets.UTF_8), signed)));
    }

    @Test
    void duringTheGracePeriodThePreviousSecretSignsBesideTheNewOneAndStopsWhenItEnds() {
        Signing rotating = new Signing(Signing.Scheme.BOTH, NEW, OLD, NOW + 1);
        Map<String, String> during = SignatureHeaders.of(rotating, "evt_1", NOW, BODY);
        assertThat(during.get("X-StreamHook-Signature")).isEqualTo(Signer.sign(NEW, BODY));
        assertThat(during.get("X-StreamHook-Signature-Previous")).isEqualTo(Signer.sign(OLD, BODY));
        // the old secret is not in the whsec_ form, so only the new one signs the standard header
        assertThat(during.get("webhook-signature")).doesNotContain(" ");

        Map<String, String> after = SignatureHeaders.of(rotating, "evt_1", NOW + 1, BODY);
        assertThat(after).doesNotContainKey("X-StreamHook-Signature-Previous");
        assertThat(after.get("X-StreamHook-Signature")).isEqualTo(Signer.sign(NEW, BODY));
    }

    @Test
    void twoStandardSecretsGiveTwoSignaturesSeparatedByASpaceNewestFirst() {
        String older = "whsec_" + Base64.getEncoder().encodeToString(new byte[24]);
        Map<String, String> h = SignatureHeaders.of(new Signing(Signing.Scheme.STANDARD_WEBHOOKS, NEW, older, NOW + 60_000), "evt_1", NOW, BODY);
        assertThat(h.get("webhook-signature")).isEqualTo(Signer.signStandard(NEW, "evt_1", NOW / 1000, BODY) + " "
                + Signer.signStandard(older, "evt_1", NOW / 1000, BODY));
        assertThat(h).doesNotContainKey("X-StreamHook-Signature");
    }

    @Test
    void onlyWhsecSecretsOf24To64BytesAreStandardKeys() {
        assertThat(Signing.standardKey(NEW)).isPresent();
        assertThat(Signing.standardKey("whsec_" + Base64.getEncoder().encodeToString(new byte[23]))).isEmpty();
        assertThat(Signing.standardKey("whsec_" + Base64.getEncoder().encodeToString(new byte[65]))).isEmpty();
        assertThat(Signing.standardKey("whsec_your_signing_secret")).isEmpty();
        assertThat(Signing.standardKey(KEY_TEXT)).isEmpty();
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
