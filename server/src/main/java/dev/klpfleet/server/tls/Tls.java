package dev.klpfleet.server.tls;

import java.nio.file.Path;

/** How the server's API port speaks: TLS with a given or a generated certificate, or plain HTTP (loopback only). */
public sealed interface Tls {
    /** Plain HTTP; {@code klpfleet server} allows it only with {@code --plain-http} on a loopback address. */
    record Plain() implements Tls {
    }

    /** TLS with a certificate generated on first start into {@code DATA/tls/} and reused afterwards. */
    record SelfSigned() implements Tls {
    }

    /** TLS with the operator's PEM certificate chain and private key. */
    record PemFiles(Path certificate, Path privateKey) implements Tls {
    }
}
