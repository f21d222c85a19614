package dev.streamhook.capture.pgoutput;

import static dev.streamhook.capture.pgoutput.PgOutputBytes.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Column text is decoded by the JDK's fast, replacing decoder and checked strictly only when the
 * result holds a U+FFFD; these pin down that a real U+FFFD survives and bad bytes still fail.
 */
class TupleTextUtf8Test {

    private static PgOutputMessage insertOf(byte... utf8) {
        return PgOutputDecoder.decode(message('I').int32(1).byte1('N').tuple(1).byte1('t').int32(utf8.length).raw(utf8).toBuffer());
    }

    @Test
    void aRealReplacementCharacterInTheDataIsKept() {
        Insert insert = (Insert) insertOf((byte) 'a', (byte) 0xEF, (byte) 0xBF, (byte) 0xBD, (byte) 'b');
        assertThat(insert.newTuple().values()).containsExactly(new ColumnValue.Text("a\uFFFDb"));
    }

    @Test
    void aSurrogateEncodedAsUtf8IsRefused() {
        assertThatThrownBy(() -> insertOf((byte) 0xED, (byte) 0xA0, (byte) 0x80))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("pgoutput Insert message ('I') at byte offset 13: the text of column 1 of 1"
                        + " of the new tuple is not valid UTF-8");
    }

    @Test
    void anOverlongEncodingIsRefused() {
        assertThatThrownBy(() -> insertOf((byte) 0xC0, (byte) 0xAF))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessageEndingWith("is not valid UTF-8");
    }

    @Test
    void textIsDecodedTheSameFromADirectOrReadOnlyBufferAsFromAnArray() {
        byte[] utf8 = "Hauptstraße 5 \uFFFD 😀".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer heap = message('I').int32(1).byte1('N').tuple(1).byte1('t').int32(utf8.length).raw(utf8).toBuffer();
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(heap.remaining()).put(heap.duplicate()).flip();
        for (java.nio.ByteBuffer buffer : new java.nio.ByteBuffer[] {heap, direct, heap.asReadOnlyBuffer()}) {
            Insert insert = (Insert) PgOutputDecoder.decode(buffer);
            assertThat(insert.newTuple().values()).containsExactly(new ColumnValue.Text("Hauptstraße 5 \uFFFD 😀"));
        }
        byte[] bad = {(byte) 0xC0, (byte) 0xAF};
        java.nio.ByteBuffer badHeap = message('I').int32(1).byte1('N').tuple(1).byte1('t').int32(bad.length).raw(bad).toBuffer();
        java.nio.ByteBuffer badDirect = java.nio.ByteBuffer.allocateDirect(badHeap.remaining()).put(badHeap.duplicate()).flip();
        assertThatThrownBy(() -> PgOutputDecoder.decode(badDirect)).hasMessageEndingWith("is not valid UTF-8");
    }
}
