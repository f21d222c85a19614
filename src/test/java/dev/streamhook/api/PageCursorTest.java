package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamhook.store.SecretBox;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The events page cursor: opaque, bound to its account and to the node's key. */
class PageCursorTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String OTHER_KEY = Base64.getEncoder().encodeToString("another key of thirty-two bytes!".getBytes());
    private final PageCursor cursors = new PageCursor(SecretBox.load(Optional.of(KEY), null));

    @Test
    void aCursorLeadsBackToItsPositionForItsAccount() {
        assertThat(cursors.decode("acc_1", cursors.encode("acc_1", 123_456))).isEqualTo(123_456);
    }

    @Test
    void theSamePositionGivesADifferentCursorEachTimeSoNothingCanBeReadFromIt() {
        assertThat(cursors.encode("acc_1", 7)).isNotEqualTo(cursors.encode("acc_1", 7));
    }

    @Test
    void anotherAccountsCursorIsRefusedNamingTheParameter() {
        String cursor = cursors.encode("acc_1", 7);
        assertThatThrownBy(() -> cursors.decode("acc_2", cursor)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.param()).isEqualTo("cursor");
            assertThat(e.reason()).isEqualTo(ApiException.Reason.INVALID_REQUEST);
        });
    }

    @Test
    void anAlteredTruncatedOrForeignKeyCursorIsRefused() {
        String cursor = cursors.encode("acc_1", 7);
        byte[] bytes = Base64.getUrlDecoder().decode(cursor);
        bytes[bytes.length - 1] ^= 1;
        String flipped = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        PageCursor otherNode = new PageCursor(SecretBox.load(Optional.of(OTHER_KEY), null));
        for (String bad : new String[] {flipped, cursor.substring(0, 10), "!!", "", otherNode.encode("acc_1", 7)}) {
            assertThatThrownBy(() -> cursors.decode("acc_1", bad)).as(bad).isInstanceOf(ApiException.class);
        }
    }
}
