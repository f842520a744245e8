package dev.klpfleet.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The load generator's response reader finds each response's status and skips its body, however the bytes arrive. */
class LoopbackLoadTest {
    static final String TWO_RESPONSES = "HTTP/1.1 304 Not Modified\r\nETag: \"abc\"\r\n\r\n"
            + "HTTP/1.1 200 OK\r\ncontent-length: 11\r\nContent-Type: application/json\r\n\r\n{\"a\":\"xyz\"}"
            + "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}";

    /** Hands out at most one byte per read, as a slow network might. */
    static InputStream trickle(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < b.length ? b[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] buf, int off, int len) {
                if (pos >= b.length) {
                    return -1;
                }
                buf[off] = b[pos++];
                return 1;
            }
        };
    }

    @Test
    void statuses_come_in_order_whether_bytes_arrive_at_once_or_one_by_one() throws IOException {
        for (InputStream in : new InputStream[] {new ByteArrayInputStream(TWO_RESPONSES.getBytes(StandardCharsets.US_ASCII)),
                trickle(TWO_RESPONSES)}) {
            LoopbackLoad.ResponseReader r = new LoopbackLoad.ResponseReader(in);
            assertThat(r.next()).isEqualTo(304);
            assertThat(r.next()).isEqualTo(200);
            assertThat(r.next()).isEqualTo(404);
            assertThatThrownBy(r::next).hasMessageContaining("closed");
        }
    }

    @Test
    void a_body_cut_short_is_an_error_not_a_hang() {
        LoopbackLoad.ResponseReader r = new LoopbackLoad.ResponseReader(
                new ByteArrayInputStream("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}".getBytes(StandardCharsets.US_ASCII)));
        assertThatThrownBy(r::next).isInstanceOf(IOException.class);
    }
}
