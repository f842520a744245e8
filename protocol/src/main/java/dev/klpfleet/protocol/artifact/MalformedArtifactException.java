package dev.klpfleet.protocol.artifact;

/** A manifest, signature or key file that cannot be read as its documented format. */
public final class MalformedArtifactException extends RuntimeException {
    public MalformedArtifactException(String message) {
        super(message);
    }

    public MalformedArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}
