package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SignerTest {

    @Test
    void signsTheBodyBytesWithHexHmacSha256() {
        // RFC 4231 test case 2
        assertThat(Signer.sign("Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void aCachedKeySignsEveryBodyAfreshAndNeverMixesSecrets() {
        byte[] body = "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8);
        String jefe = "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        for (int i = 0; i < 3; i++) {
            assertThat(Signer.sign("Jefe", body)).isEqualTo(jefe);
            // RFC 4231 test case 1: key 0x0b x 20, "Hi There"
            assertThat(Signer.sign("\u000b".repeat(20), "Hi There".getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo("sha256=b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        }
    }

    @Test
    void signaturesFromManyVirtualThreadsAtOnceAreAllCorrect() throws Exception {
        byte[] body = "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8);
        String jefe = "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        List<Future<String>> signatures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 2_000; i++) {
                signatures.add(threads.submit(() -> Signer.sign("Jefe", body)));
            }
            for (Future<String> s : signatures) {
                assertThat(s.get()).isEqualTo(jefe);
            }
        }
    }
}
