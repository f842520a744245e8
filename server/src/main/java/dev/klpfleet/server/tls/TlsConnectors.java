package dev.klpfleet.server.tls;

import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** Builds the API's connector: plain HTTP/1.1, or TLS 1.2+ offering HTTP/2 and HTTP/1.1 by ALPN. */
public final class TlsConnectors {
    /** TLS 1.0 and 1.1 are deprecated (RFC 8996); nothing klpfleet talks to needs them. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** On top of Jetty's own exclusions (MD5, SHA-1 MACs, RSA key exchange, export, NULL): CBC modes, leaving AEAD suites. */
    static final String[] EXCLUDED_CIPHERS = {"^.*_CBC_.*$", "^.*_(MD5|SHA|SHA1)$", "^TLS_RSA_.*$", "^SSL_.*$", "^.*_NULL_.*$", "^.*_anon_.*$"};

    private TlsConnectors() {
    }

    public static ServerConnector connector(Server jetty, ServerCertificate cert) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        char[] password = "in-memory".toCharArray();
        ssl.setKeyStore(cert.keyStore(password));
        ssl.setKeyStorePassword(new String(password));
        ssl.setIncludeProtocols(PROTOCOLS);
        ssl.addExcludeCipherSuites(EXCLUDED_CIPHERS);
        // HTTP/2 forbids the suites excluded above anyway (RFC 9113 appendix A); the comparator orders the rest for it.
        ssl.setCipherComparator(org.eclipse.jetty.http2.HTTP2Cipher.COMPARATOR);
        // SNI host checks would refuse clients that reach the server by an address the certificate does not name (agents in VMs pin the fingerprint).
        ssl.setSniRequired(false);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        HttpConnectionFactory h1 = new HttpConnectionFactory(http);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(h1.getProtocol());
        SslConnectionFactory tls = new SslConnectionFactory(ssl, alpn.getProtocol());
        return new ServerConnector(jetty, tls, alpn, h2, h1);
    }

    public static ServerConnector plain(Server jetty) {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        return new ServerConnector(jetty, new HttpConnectionFactory(http));
    }
}
