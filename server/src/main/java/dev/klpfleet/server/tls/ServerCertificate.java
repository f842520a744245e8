package dev.klpfleet.server.tls;

import dev.klpfleet.protocol.transport.Fingerprint;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The certificate chain and key the server presents, and where they came from (for the start-up line).
 *
 * @param chain the server's certificate first
 */
public record ServerCertificate(List<X509Certificate> chain, PrivateKey key, String source) {
    public ServerCertificate {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a server certificate chain needs at least the server's certificate");
        }
        chain = List.copyOf(chain);
    }

    /** What clients pin with {@code --server-fingerprint}. */
    public Fingerprint fingerprint() {
        return Fingerprint.of(chain.get(0));
    }

    /** An in-memory key store holding this chain and key, for Jetty's SSL context. */
    KeyStore keyStore(char[] password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, password, chain.toArray(new X509Certificate[0]));
            return ks;
        } catch (Exception e) {
            throw new IllegalStateException("cannot hold the server certificate in a key store: " + e.getMessage(), e);
        }
    }
}
