package dev.klpfleet.server.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads PEM certificates and private keys. The key may be PKCS#8 ({@code PRIVATE KEY}), PKCS#1
 * ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}), as openssl, certbot and cfssl write them;
 * encrypted keys are refused (the server starts unattended).
 */
public final class PemFiles {
    /** An unusable certificate or key file, with a one-line reason. */
    public static final class Unusable extends IllegalArgumentException {
        public Unusable(String message) {
            super(message);
        }
    }

    private PemFiles() {
    }

    public static ServerCertificate load(Path certificate, Path privateKey) {
        List<X509Certificate> chain = certificates(read(certificate), certificate.toString());
        if (chain.isEmpty()) {
            throw new Unusable("--tls-cert " + certificate + " holds no PEM certificate");
        }
        PrivateKey key = privateKey(read(privateKey), privateKey.toString());
        return new ServerCertificate(chain, key, certificate.toString());
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new Unusable("cannot read " + file + ": " + e.getMessage());
        }
    }

    static List<X509Certificate> certificates(String pem, String name) {
        List<X509Certificate> out = new ArrayList<>();
        try (PEMParser p = new PEMParser(reader(pem))) {
            Object o;
            while ((o = p.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(new JcaX509CertificateConverter().getCertificate(h));
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new Unusable(name + " is not a readable PEM certificate file: " + e.getMessage());
        }
        return out;
    }

    static PrivateKey privateKey(String pem, String name) {
        try (PEMParser p = new PEMParser(reader(pem))) {
            Object o;
            while ((o = p.readObject()) != null) {
                JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
                if (o instanceof PrivateKeyInfo info) {
                    return conv.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return conv.getKeyPair(pair).getPrivate();
                }
                if (o.getClass().getSimpleName().contains("Encrypted")) {
                    throw new Unusable(name + " holds an encrypted private key; the server starts unattended, give it an unencrypted one (0600)");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof Unusable u) {
                throw u;
            }
            throw new Unusable(name + " is not a readable PEM private key: " + e.getMessage());
        }
        throw new Unusable(name + " holds no PEM private key");
    }

    private static Reader reader(String pem) {
        return new StringReader(pem);
    }
}
