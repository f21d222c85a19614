package dev.streamhook.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReceiverTest {

    @Test
    void aBatchIsSplitIntoItsEventsWithBracesAndQuotesInsideStringsLeftAlone() {
        String first = "{\"id\":\"evt_1\",\"after\":{\"id\":1,\"note\":\"a } and a \\\" and a {\"}}";
        String second = "{\"id\":\"evt_2\",\"after\":{\"id\":2}}";
        byte[] batch = ("[" + first + "," + second + "]").getBytes(StandardCharsets.UTF_8);

        List<byte[]> events = dev.streamhook.testing.CountingReceiver.elements(batch);

        assertThat(events).extracting(b -> new String(b, StandardCharsets.UTF_8)).containsExactly(first, second);
        assertThat(events).extracting(Receiver::idOf).containsExactly("evt_1", "evt_2");
        assertThat(Receiver.rowId(events.get(1))).isEqualTo(2);
    }
}
