package dev.klpfleet.server.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Bytes written to a loopback server as they are, for requests an HTTP client would not send. */
final class RawHttp {
    /** How long a raw exchange may wait for the server's answer. */
    static final Duration ANSWER_WAIT = Duration.ofSeconds(20);

    /** Status line and body of one answer. */
    record Answer(int status, String head, String body) {}

    private RawHttp() {}

    /** Sends {@code request} (with {@code Connection: close} semantics expected) and reads the answer to its end. */
    static Answer exchange(URI server, String request) throws IOException {
        try (Socket s = new Socket(server.getHost(), server.getPort())) {
            s.setSoTimeout((int) ANSWER_WAIT.toMillis());
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return read(s.getInputStream());
        }
    }

    /** Reads one answer: head, then Content-Length bytes or to the end of the stream. */
    static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the answer's head ended: " + head);
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(h.substring(9, 12));
        long length = -1;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        byte[] body;
        try {
            body = length >= 0 ? in.readNBytes((int) length) : in.readAllBytes();
        } catch (SocketTimeoutException e) {
            body = new byte[0];
        }
        return new Answer(status, h, new String(body, StandardCharsets.UTF_8));
    }
}
