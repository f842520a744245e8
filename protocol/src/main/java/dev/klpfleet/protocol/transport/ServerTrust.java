package dev.klpfleet.protocol.transport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a client (agent or CLI) decides that it talks to the real klpfleet server: a CA file, a pinned
 * certificate fingerprint, or the JDK's default CAs. Plain {@code http://} is allowed to loopback only:
 * over any other network the agent would send its host credential and receive module bytes in clear.
 */
public sealed interface ServerTrust {
    /** The environment variable a pinned fingerprint may come from. */
    String FINGERPRINT_ENV = "KLPFLEET_SERVER_FINGERPRINT";
    /** The environment variable a CA file may come from. */
    String CA_ENV = "KLPFLEET_SERVER_CA";

    /** The JDK's default trust store (a certificate from a public or system-installed CA). */
    record SystemDefault() implements ServerTrust {
    }

    /** Certificates chaining to one of the CA certificates in a PEM file; the host name is checked against the certificate. */
    record CaFile(Path file) implements ServerTrust {
    }

    /** Exactly the server certificate with this SHA-256 fingerprint (as printed by {@code klpfleet server}). */
    record Pinned(Fingerprint fingerprint) implements ServerTrust {
    }

    /** A refused trust setting or URL, with a message for one line. */
    final class Refused extends IllegalArgumentException {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * The trust named by options or, when both are null, by the environment ({@code KLPFLEET_SERVER_CA},
     * {@code KLPFLEET_SERVER_FINGERPRINT}); both a CA and a fingerprint is refused as ambiguous.
     */
    static ServerTrust of(Path caFile, String fingerprint, java.util.function.Function<String, String> env) {
        Path ca = caFile != null ? caFile : blankToNull(env.apply(CA_ENV)) == null ? null : Path.of(env.apply(CA_ENV));
        String fp = fingerprint != null ? fingerprint : blankToNull(env.apply(FINGERPRINT_ENV));
        if (ca != null && fp != null) {
            throw new Refused("give either a server CA file or a server fingerprint, not both");
        }
        if (ca != null) {
            if (!Files.isRegularFile(ca)) {
                throw new Refused("server CA file " + ca + " does not exist");
            }
            return new CaFile(ca);
        }
        if (fp != null) {
            return new Pinned(Fingerprint.parse(fp));
        }
        return new SystemDefault();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /**
     * Refuses a URL this client must not use: a scheme other than http/https, or {@code http://} to
     * anything but a loopback address.
     */
    static URI checkUrl(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (url.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new Refused("server URL must be https://HOST[:PORT] (got '" + url + "')");
        }
        if (scheme.equals("http") && !isLoopback(url.getHost())) {
            throw new Refused("refusing plain http:// to " + url.getHost() + ": only loopback may be plain, use https://");
        }
        return url;
    }

    /** True for a loopback address literal or {@code localhost}; other names are not resolved (DNS could lie). */
    static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The TLS context that enforces this trust. */
    default SSLContext sslContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            // Java 17: no pattern switch; the three records are the whole sealed set.
            TrustManager[] managers;
            if (this instanceof CaFile c) {
                managers = caManagers(c.file());
            } else if (this instanceof Pinned p) {
                managers = new TrustManager[] {new PinnedTrustManager(p.fingerprint())};
            } else {
                managers = null;
            }
            ctx.init(null, managers, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JDK: " + e.getMessage(), e);
        }
    }

    private static TrustManager[] caManagers(Path file) throws GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(file)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | CertificateException e) {
            throw new Refused("server CA file " + file + " is not readable as PEM certificates: " + e.getMessage());
        }
        if (certs.isEmpty()) {
            throw new Refused("server CA file " + file + " holds no certificate");
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int i = 0;
        for (Certificate c : certs) {
            store.setCertificateEntry("ca" + i++, (X509Certificate) c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf.getTrustManagers();
    }
}
