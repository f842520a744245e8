package dev.klpfleet.agent.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.klpfleet.protocol.WireJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code DATA/state.json}: the agent's {@link AgentState}. Every save writes a temporary file,
 * forces it to disk, renames it over the old one and forces the directory, so a crash or a power
 * loss leaves either the old state or the new one, never half of either. Mode 0600: it holds the
 * host credential.
 */
public final class StateFile {
    public static final String NAME = "state.json";
    private static final ObjectMapper JSON = WireJson.mapper();

    private final Path file;

    public StateFile(Path dataDir) {
        this.file = dataDir.resolve(NAME);
    }

    public Path path() {
        return file;
    }

    /**
     * The saved state, or {@link AgentState#empty()} when none was saved yet.
     *
     * @throws IOException when the file exists but cannot be read or parsed (never silently reset:
     *                     forgetting which patches are ours would leave them loaded forever)
     */
    public AgentState load() throws IOException {
        try {
            return JSON.readValue(Files.readAllBytes(file), AgentState.class);
        } catch (NoSuchFileException e) {
            return AgentState.empty();
        } catch (IOException e) {
            throw new IOException(file + " is unreadable (" + e.getMessage().lines().findFirst().orElse("") + "); fix or move it away", e);
        }
    }

    /**
     * Replaces the saved state with {@code state}, atomically and durably: a temporary file is
     * written and forced, renamed over the old one, and the directory forced ({@link Durable}).
     */
    public void save(AgentState state) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(NAME + ".tmp");
        Durable.writeForced(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Durable.publish(tmp, file);
    }
}
