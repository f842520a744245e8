package dev.klpfleet.server.host;

import dev.klpfleet.protocol.fleet.CheckinResponse;
import dev.klpfleet.protocol.fleet.DesiredPatch;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A host's desired set with its rendered response body and ETag, computed once per change and
 * served from memory on every check-in.
 */
public record Desired(List<DesiredPatch> patches, String etag, byte[] body) {

    /** Check-in interval the server asks agents to keep. */
    public static final int CHECKIN_INTERVAL_SECONDS = 60;

    public static Desired of(String hostId, List<DesiredPatch> patches) {
        byte[] body = FleetJson.write(new CheckinResponse(hostId, patches, CHECKIN_INTERVAL_SECONDS)).getBytes(StandardCharsets.UTF_8);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(body);
            return new Desired(patches, "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"", body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
