package dev.klpfleet.cli.fleet;

import dev.klpfleet.protocol.transport.ServerTrust;
import dev.klpfleet.server.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;

/** A server certificate made the way a server makes its own, in a temporary directory, for test servers given --tls-cert. */
record TestCertificate(Path dir) {
    static TestCertificate create() {
        try {
            Path dir = Files.createTempDirectory("klpfleet-test-tls");
            SelfSignedCertificate.loadOrCreate(dir, Instant.now(), new SecureRandom());
            return new TestCertificate(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path certificate() {
        return dir.resolve(SelfSignedCertificate.DIR).resolve(SelfSignedCertificate.CERT);
    }

    /** The key and certificate in one PEM file, which --tls-key reads the key from. */
    Path keyAndCertificate() {
        return dir.resolve(SelfSignedCertificate.DIR).resolve(SelfSignedCertificate.KEY_AND_CERT);
    }

    ServerTrust trust() {
        return new ServerTrust.CaFile(certificate());
    }
}
