package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A few hundred sockets that send slowly or read slowly hold no worker thread: the server keeps
 * answering /healthz and check-ins. All traffic is on loopback, counts and waits are bounded.
 */
class SlowClientsTest {
    /** Slow connections of each kind: slow headers, slow chunked bodies, slow readers. */
    static final int EACH = 200;
    /**
     * How long a probe may wait for its answer: generous for a loaded machine, and shorter than the 30 s
     * idle timeout after which the old server's held threads came free.
     */
    static final Duration PROBE_WAIT = Duration.ofSeconds(20);

    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void closeSockets() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    private Socket open(URI server, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress(server.getHost(), server.getPort()), (int) PROBE_WAIT.toMillis());
        sockets.add(s);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static int probe(HttpClient http, HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void healthzAndCheckinsAreAnsweredWhileHundredsOfSlowClientsHangOn() throws Exception {
        try (TestFleet fleet = new TestFleet(null, HttpLimits.DEFAULT.withConnections(4 * EACH + 100, 4 * EACH + 100))) {
            URI uri = fleet.server.uri();
            TestFleet.Host host = fleet.enroll("busy-host", "6.1.0-20-amd64", Map.of());
            String checkinPath = "/api/v1/hosts/" + host.id() + "/checkin";
            for (int i = 0; i < EACH; i++) {
                // Slow headers: a request line and one header, then nothing.
                send(open(uri, 0), "GET /healthz HTTP/1.1\r\nHost: slow-headers\r\n");
            }
            for (int i = 0; i < EACH; i++) {
                // Slow chunked bodies: half announce a body on a route that takes none (the defect), half start a check-in body.
                if (i % 2 == 0) {
                    send(open(uri, 0), "GET /healthz HTTP/1.1\r\nHost: slow-body\r\nTransfer-Encoding: chunked\r\n\r\n");
                } else {
                    send(open(uri, 0), "POST " + checkinPath + " HTTP/1.1\r\nHost: slow-body\r\nAuthorization: Bearer " + host.credential()
                            + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"ker\r\n");
                }
            }
            StringBuilder pipelined = new StringBuilder();
            for (int j = 0; j < 4; j++) {
                pipelined.append("GET /api/v1/openapi.json HTTP/1.1\r\nHost: slow-reader\r\n\r\n");
            }
            for (int i = 0; i < EACH; i++) {
                // Slow readers: ask for four documents through a 1 KiB receive window and read none of them.
                send(open(uri, 1024), pipelined.toString());
            }

            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(PROBE_WAIT).build();
            HttpRequest healthz = HttpRequest.newBuilder(uri.resolve("/healthz")).timeout(PROBE_WAIT).GET().build();
            HttpRequest checkin = HttpRequest.newBuilder(uri.resolve(checkinPath)).timeout(PROBE_WAIT)
                    .header("Authorization", "Bearer " + host.credential()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"kernelRelease\":\"6.1.0-20-amd64\",\"loaded\":[],\"taint\":0}")).build();
            for (int i = 0; i < 5; i++) {
                assertThat(probe(http, healthz)).as("healthz under %d slow connections", 3 * EACH).isEqualTo(200);
                assertThat(probe(http, checkin)).as("a check-in under %d slow connections", 3 * EACH).isEqualTo(200);
            }
        }
    }

    @Test
    void aBodyThatDoesNotArriveInTimeIsA408() throws Exception {
        try (TestFleet fleet = new TestFleet(null, HttpLimits.DEFAULT.withBodyDeadline(Duration.ofMillis(500)))) {
            TestFleet.Host host = fleet.enroll("slow-sender", "6.1.0-20-amd64", Map.of());
            Socket s = open(fleet.server.uri(), 0);
            s.setSoTimeout((int) RawHttp.ANSWER_WAIT.toMillis());
            send(s, "POST /api/v1/hosts/" + host.id() + "/checkin HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + host.credential()
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"kernelRelease\":");
            RawHttp.Answer a = RawHttp.read(s.getInputStream());
            assertThat(a.status()).isEqualTo(408);
            assertThat(a.body()).contains("\"error\"").contains("did not arrive within 500 ms");
        }
    }

    @Test
    void oneClientAddressCannotTakeEveryConnection() throws Exception {
        try (TestFleet fleet = new TestFleet(null, HttpLimits.DEFAULT.withConnections(100, 5))) {
            URI uri = fleet.server.uri();
            for (int i = 0; i < 5; i++) {
                // Each hog is answered once and keeps its connection open, so the server has surely counted it.
                Socket hog = open(uri, 0);
                hog.setSoTimeout((int) RawHttp.ANSWER_WAIT.toMillis());
                send(hog, "GET /healthz HTTP/1.1\r\nHost: hog\r\n\r\n");
                assertThat(RawHttp.read(hog.getInputStream()).status()).isEqualTo(200);
            }
            Socket sixth = open(uri, 0);
            sixth.setSoTimeout((int) RawHttp.ANSWER_WAIT.toMillis());
            InputStream in = sixth.getInputStream();
            int first;
            try {
                send(sixth, "GET /healthz HTTP/1.1\r\nHost: hog\r\nConnection: close\r\n\r\n");
                first = in.read();
            } catch (IOException reset) {
                first = -1;
            }
            assertThat(first).as("the sixth connection from 127.0.0.1 is closed unanswered").isEqualTo(-1);

            // Another client address (127.0.0.2 is loopback too) is still served.
            try (Socket other = new Socket()) {
                other.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
                other.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) PROBE_WAIT.toMillis());
                other.setSoTimeout((int) RawHttp.ANSWER_WAIT.toMillis());
                send(other, "GET /healthz HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n");
                assertThat(RawHttp.read(other.getInputStream()).status()).isEqualTo(200);
            }
        }
    }

    /** How long the test waits to see that a connection beyond the overall limit is not served. */
    static final Duration UNSERVED_WAIT = Duration.ofSeconds(2);

    @Test
    void connectionsBeyondTheOverallLimitWaitUnservedUntilOneCloses() throws Exception {
        try (TestFleet fleet = new TestFleet(null, HttpLimits.DEFAULT.withConnections(6, 100))) {
            URI uri = fleet.server.uri();
            List<Socket> hogs = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                // Six client addresses, so only the overall limit can bite; each is answered once and stays open.
                Socket hog = from("127.0.0." + i, uri);
                send(hog, "GET /healthz HTTP/1.1\r\nHost: hog\r\n\r\n");
                assertThat(RawHttp.read(hog.getInputStream()).status()).isEqualTo(200);
                hogs.add(hog);
            }
            Socket seventh = from("127.0.0.7", uri);
            seventh.setSoTimeout((int) UNSERVED_WAIT.toMillis());
            send(seventh, "GET /healthz HTTP/1.1\r\nHost: seventh\r\nConnection: close\r\n\r\n");
            InputStream in = seventh.getInputStream();
            boolean answered;
            try {
                answered = in.read() >= 0;
            } catch (java.net.SocketTimeoutException waiting) {
                answered = false;
            }
            assertThat(answered).as("the seventh connection waits: the server accepts no more than six").isFalse();

            hogs.get(0).close();
            seventh.setSoTimeout((int) RawHttp.ANSWER_WAIT.toMillis());
            assertThat(RawHttp.read(in).status()).as("served once a slot is free").isEqualTo(200);
        }
    }

    private Socket from(String address, URI server) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
        s.connect(new InetSocketAddress(server.getHost(), server.getPort()), (int) PROBE_WAIT.toMillis());
        s.setSoTimeout((int) RawHttp.ANSWER_WAIT.toMillis());
        return s;
    }
}
