package dev.klpfleet.patchbuild.signing;

import dev.klpfleet.protocol.artifact.SigningKey;
import dev.klpfleet.protocol.artifact.SigningKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;

/** Writes and reads key files (docs/ARTIFACTS.md, "Keys"). */
public final class KeyFiles {
    private KeyFiles() {}

    /**
     * Writes {@code prefix.key} (created with mode 0600, so the private key is never readable by
     * others, not even briefly) and {@code prefix.pub}. Refuses to overwrite either.
     *
     * @throws FileAlreadyExistsException if either file exists; nothing is written then
     */
    public static void write(SigningKey key, Path prefix) throws IOException {
        Path priv = privateFile(prefix);
        Path pub = publicFile(prefix);
        for (Path p : new Path[] {priv, pub}) {
            if (Files.exists(p)) {
                throw new FileAlreadyExistsException(p.toString());
            }
        }
        Files.createFile(priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(priv, SigningKeys.privatePem(key), StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        Files.writeString(pub, SigningKeys.publicPem(key.publicKey()), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
    }

    public static Path privateFile(Path prefix) {
        return prefix.resolveSibling(prefix.getFileName() + ".key");
    }

    public static Path publicFile(Path prefix) {
        return prefix.resolveSibling(prefix.getFileName() + ".pub");
    }

    /** @throws dev.klpfleet.protocol.artifact.MalformedArtifactException if it is not a private key file */
    public static SigningKey readPrivate(Path file) throws IOException {
        return SigningKeys.readPrivate(Files.readString(file, StandardCharsets.US_ASCII));
    }

    /** Reads a public key, from a {@code .pub} file or from the public block of a private key file. */
    public static PublicKey readPublic(Path file) throws IOException {
        return SigningKeys.readPublic(Files.readString(file, StandardCharsets.US_ASCII));
    }
}
