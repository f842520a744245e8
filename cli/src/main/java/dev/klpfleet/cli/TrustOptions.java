package dev.klpfleet.cli;

import dev.klpfleet.protocol.transport.ServerTrust;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Option;

/** The {@code --server-ca} / {@code --server-fingerprint} options of every command that talks to a server. */
public final class TrustOptions {
    @Option(names = "--server-ca", paramLabel = "FILE",
            description = "PEM CA certificate(s) the server's certificate must chain to (default: $KLPFLEET_SERVER_CA, else the JDK's CAs).")
    Path ca;

    @Option(names = "--server-fingerprint", paramLabel = "SHA256:..",
            description = "The server certificate's SHA-256 fingerprint, as `klpfleet server` prints it (default: $KLPFLEET_SERVER_FINGERPRINT).")
    String fingerprint;

    /** The trust in effect; a bad setting is a usage error naming it. */
    public ServerTrust trust() {
        try {
            return ServerTrust.of(ca, fingerprint, System::getenv);
        } catch (ServerTrust.Refused e) {
            throw new CommandFailure(ExitCodes.USAGE, e.getMessage());
        }
    }

    /** {@code url} when this client may use it: https, or plain http to loopback only. */
    public static URI allowed(URI url) {
        try {
            return ServerTrust.checkUrl(url);
        } catch (ServerTrust.Refused e) {
            throw new CommandFailure(ExitCodes.USAGE, "--server: " + e.getMessage());
        }
    }

    /** Whether a network failure was the TLS handshake refusing the server's certificate. */
    public static boolean untrusted(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }
}
