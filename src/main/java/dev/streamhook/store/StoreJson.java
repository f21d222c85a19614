package dev.streamhook.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The small JSON columns of the store (table lists, header maps). */
final class StoreJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StoreJson() {
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("lists and maps of strings always serialise", e);
        }
    }

    static List<String> stringList(String json) {
        try {
            return List.copyOf(MAPPER.readValue(json, new TypeReference<List<String>>() { }));
        } catch (JsonProcessingException e) {
            throw new StoreException("a stored list is not JSON: " + json, e);
        }
    }

    static Map<String, String> stringMap(String json) {
        try {
            return MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new StoreException("a stored map is not JSON: " + json, e);
        }
    }
}
