package dev.klpfleet.server.cve;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One host's CVE status as an OpenVEX 0.2.0 document (https://github.com/openvex/spec), for
 * scanners that read VEX: {@code fixed} for a CVE a live patch closes on this host's kernel (loaded
 * and enabled), {@code affected} with the rollout to do for one a build exists for but is not
 * applied (its signed manifest says the kernel needs it), {@code under_investigation} for one with
 * no build for this kernel (klpfleet cannot tell whether this kernel is affected).
 */
public final class OpenVex {
    public static final String CONTEXT = "https://openvex.dev/ns/v0.2.0";
    public static final String AUTHOR = "klpfleet control plane";

    private OpenVex() {}

    /** The product a statement is about: the host, with its running kernel as the subcomponent (a purl scanners match on). */
    static Map<String, Object> product(Exposure.HostStatus s) {
        String purl = "pkg:generic/linux@" + URLEncoder.encode(s.kernelRelease(), StandardCharsets.UTF_8);
        Map<String, Object> kernel = new LinkedHashMap<>();
        kernel.put("@id", purl);
        kernel.put("identifiers", Map.of("purl", purl));
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("@id", "urn:klpfleet:host:" + s.hostId());
        host.put("subcomponents", List.of(kernel));
        return host;
    }

    /**
     * The document for one host; null when no CVE is in the signed catalog (OpenVEX needs at least
     * one statement). {@code version} is always 1: each document is generated afresh and its {@code @id} carries the time.
     */
    public static Map<String, Object> document(String hostId, Map<String, Exposure.HostStatus> statuses, Instant now, String tooling) {
        if (statuses.isEmpty()) {
            return null;
        }
        List<Object> statements = new ArrayList<>();
        statuses.forEach((cve, s) -> {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("vulnerability", Map.of("name", cve));
            st.put("products", List.of(product(s)));
            switch (s.status()) {
                case FIXED -> {
                    st.put("status", "fixed");
                    st.put("status_notes", "closed by live patch " + s.patch() + " " + s.version() + ", loaded and enabled on kernel "
                            + s.kernelRelease() + " (the CVE is named in the patch's signed build manifest)");
                }
                case FIXABLE -> {
                    st.put("status", "affected");
                    st.put("action_statement", "roll out live patch " + s.patch() + " " + s.version() + ", built and signed for kernel "
                            + s.kernelRelease() + " (klpfleet rollout create --patch " + s.patch() + " --version " + s.version() + ")");
                }
                case NOT_FIXABLE -> {
                    st.put("status", "under_investigation");
                    st.put("status_notes", "no live patch naming this CVE is built for kernel " + s.kernelRelease()
                            + "; if the kernel is affected, only an update and reboot fix it");
                }
            }
            statements.add(st);
        });
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("@context", CONTEXT);
        doc.put("@id", "urn:klpfleet:vex:host:" + hostId + ":" + now.toEpochMilli());
        doc.put("author", AUTHOR);
        doc.put("timestamp", now.toString());
        doc.put("version", 1);
        doc.put("tooling", tooling);
        doc.put("statements", statements);
        return doc;
    }
}
