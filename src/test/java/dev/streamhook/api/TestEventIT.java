package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.Main;
import dev.streamhook.delivery.Signer;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.ItemsAndReceiver;
import dev.streamhook.testing.Quickstart;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A test event sent by hand: signed like the others, answered with what the endpoint did, stored nowhere. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TestEventIT extends ItemsAndReceiver {

    private static final String SECRET = "whsec_test_event";

    @TempDir
    Path dataDir;

    @Test
    void aTestEventArrivesSignedAndTheAnswerSaysWhatTheEndpointDidWithoutStoringAnEvent() {
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("test-event@example.com");
            String source = Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            String path = "/v1/sources/" + source + "/destinations/" + api.get("/v1/sources/" + source + "/destinations").body().at("/data/0/id").asText();

            ApiClient.Response sent = api.post(path + "/test", "");
            assertThat(sent.status()).as(sent.body().toString()).isEqualTo(200);
            assertThat(sent.body().get("delivered").asBoolean()).isTrue();
            assertThat(sent.body().get("status_code").asInt()).isEqualTo(200);
            WebhookReceiver.Request request = receiver.requests().getFirst();
            assertThat(request.header("X-StreamHook-Event-ID")).isEqualTo(sent.text("event_id"));
            assertThat(request.header("X-StreamHook-Signature")).isEqualTo(Signer.sign(SECRET, request.body()));
            assertThat(request.bodyText()).contains("\"operation\":\"TEST\"").contains("\"test\":true");

            receiver.respondWith(500);
            ApiClient.Response failed = api.post(path + "/test", "{}");
            assertThat(failed.body().get("delivered").asBoolean()).isFalse();
            assertThat(failed.body().get("status_code").asInt()).isEqualTo(500);
            assertThat(failed.body().get("error_kind").asText()).isEqualTo("status");

            assertThat(api.post(path + "/test", "{\"event\": \"x\"}").status()).isEqualTo(400);
            assertThat(api.get("/v1/events").body().get("data")).as("test events are not stored").isEmpty();
            assertThat(receiver.requests()).hasSize(2);
        }
    }
}
