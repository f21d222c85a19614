package dev.streamhook.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableInfoTest {

    private static final TableName ORDERS = new TableName("public", "orders");

    @Test
    void beforeHoldsThePrimaryKeyByDefaultTheIndexColumnsForAnIndexAndEverythingWhenFull() {
        assertThat(table("default", List.of("id"), List.of(), true).before()).isEqualTo("key");
        assertThat(table("default", List.of("id"), List.of(), true).beforeColumns()).containsExactly("id");
        assertThat(table("index", List.of("id"), List.of("a", "b"), true).beforeColumns()).containsExactly("a", "b");
        assertThat(table("full", List.of(), List.of(), true).before()).isEqualTo("full");
        assertThat(table("full", List.of(), List.of(), true).advice()).isNull();
        assertThat(table("nothing", List.of("id"), List.of(), true).before()).isEqualTo("none");
    }

    @Test
    void aKeylessTableIsNotCapturableBecauseItsUpdatesWouldFailOnTheUsersDatabase() {
        TableInfo keyless = table("default", List.of(), List.of(), true);
        assertThat(keyless.capturable()).isFalse();
        assertThat(keyless.reason()).contains("UPDATE and DELETE on it would fail").contains("REPLICA IDENTITY FULL");
    }

    @Test
    void theAdviceTellsAnOwnerToPatchTheSourceAndAnyoneElseToAskTheOwner() {
        assertThat(table("default", List.of("id"), List.of(), true).advice())
                .contains("{\"replica_identity\": {\"public.orders\": \"full\"}}");
        assertThat(table("default", List.of("id"), List.of(), false).advice())
                .contains("the table's owner must run ALTER TABLE \"public\".\"orders\" REPLICA IDENTITY FULL");
    }

    private static TableInfo table(String identity, List<String> primaryKey, List<String> indexColumns, boolean owned) {
        return new TableInfo(ORDERS, identity, primaryKey, indexColumns, true, owned, true);
    }
}
