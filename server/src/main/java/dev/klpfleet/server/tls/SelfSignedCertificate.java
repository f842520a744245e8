package dev.klpfleet.server.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificate a server makes for itself on first start when the operator gave none: an ECDSA P-256
 * key and a certificate for {@code localhost}, the machine's host name, 127.0.0.1 and ::1, kept in
 * {@code DATA/tls/server.pem} (key and certificate in one 0600 file, so a crash never leaves a key
 * without its certificate) and reused at every start; {@code DATA/tls/server.crt} holds the certificate
 * alone for clients' {@code --server-ca}. Clients pin its fingerprint, which the server prints at start.
 */
public final class SelfSignedCertificate {
    public static final String DIR = "tls";
    public static final String KEY_AND_CERT = "server.pem";
    public static final String CERT = "server.crt";
    /** Pinned, not trusted through a CA, so it outlives any server; rotate by deleting the files. */
    public static final Duration VALIDITY = Duration.ofDays(3650);

    private SelfSignedCertificate() {
    }

    /** Reads {@code DATA/tls/server.pem}, creating it first when absent. */
    public static ServerCertificate loadOrCreate(Path dataDir, Instant now, SecureRandom random) {
        Path dir = dataDir.resolve(DIR);
        Path file = dir.resolve(KEY_AND_CERT);
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            if (!Files.exists(file)) {
                create(file, now, random);
            }
            String pem = Files.readString(file);
            List<X509Certificate> chain = PemFiles.certificates(pem, file.toString());
            if (chain.isEmpty()) {
                throw new PemFiles.Unusable(file + " holds no certificate; delete it to have a new one generated");
            }
            ServerCertificate cert = new ServerCertificate(chain, PemFiles.privateKey(pem, file.toString()), file + " (self-signed)");
            publishCertificate(dir.resolve(CERT), chain.get(0));
            return cert;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the server certificate in " + dir, e);
        }
    }

    private static void create(Path file, Instant now, SecureRandom random) throws IOException {
        String pem;
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair pair = gen.generateKeyPair();
            String host = localHostName();
            X500Name subject = new X500Name("CN=klpfleet server " + host);
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, new BigInteger(127, random).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
            Set<String> dns = new LinkedHashSet<>(List.of("localhost"));
            if (host != null) {
                dns.add(host);
            }
            List<GeneralName> names = new ArrayList<>();
            dns.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
            names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            names.add(new GeneralName(GeneralName.iPAddress, "::1"));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            StringWriter w = new StringWriter();
            try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
                pw.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(pair.getPrivate(), null));
                pw.writeObject(cert);
            }
            pem = w.toString();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate a self-signed server certificate: " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, ".server", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(pem.getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            // A hard link fails if the name exists: two servers on one data directory keep one certificate.
            Files.createLink(file, tmp);
        } catch (FileAlreadyExistsException e) {
            // Another process created it first; use theirs.
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** Rewrites the certificate-only copy when it is missing or differs (it is derived, so a torn copy is simply redone). */
    private static void publishCertificate(Path file, X509Certificate cert) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(cert);
        }
        String pem = w.toString();
        if (Files.exists(file) && Files.readString(file).equals(pem)) {
            return;
        }
        Path tmp = Files.createTempFile(file.getParent(), ".server-crt", ".tmp");
        try {
            Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String localHostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            return h == null || h.isBlank() || !h.matches("[A-Za-z0-9.-]+") ? null : h;
        } catch (IOException e) {
            return null;
        }
    }
}
