package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchesTest {

    @Test
    void aBatchBodyIsAJsonArrayOfTheEventsBodiesByteForByte() throws Exception {
        byte[] first = "{\"id\":\"evt_1\",\"v\":\"\\u00e9\"}".getBytes(StandardCharsets.UTF_8);
        byte[] second = "{\"id\":\"evt_2\"}".getBytes(StandardCharsets.UTF_8);

        byte[] body = Batches.body(List.of(first, second));

        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("[{\"id\":\"evt_1\",\"v\":\"\\u00e9\"},{\"id\":\"evt_2\"}]");
        assertThat(new ObjectMapper().readTree(body).size()).isEqualTo(2);
        assertThat(new String(Batches.body(List.of(second)), StandardCharsets.UTF_8)).isEqualTo("[{\"id\":\"evt_2\"}]");
    }

    @Test
    void theSameEventsInTheSameOrderGiveTheSameBatchIdAndOthersAnother() {
        String id = Batches.id(List.of("evt_1", "evt_2"));

        assertThat(id).matches("bat_[0-9a-f]{24}");
        assertThat(Batches.id(List.of("evt_1", "evt_2"))).isEqualTo(id);
        assertThat(Batches.id(List.of("evt_2", "evt_1"))).isNotEqualTo(id);
        assertThat(Batches.id(List.of("evt_1"))).isNotEqualTo(id);
    }
}
