package dev.klpfleet.server.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.protocol.fleet.BadTaint;
import dev.klpfleet.protocol.fleet.LoadedPatch;
import dev.klpfleet.server.analytics.Analytics;
import dev.klpfleet.server.analytics.Filter;
import dev.klpfleet.server.analytics.Reports;
import dev.klpfleet.server.cve.Exposure;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.host.HostStore;
import dev.klpfleet.server.host.HostView;
import dev.klpfleet.server.rollout.RolloutView;
import dev.klpfleet.server.rollout.Rollouts;
import dev.klpfleet.server.rollout.core.Command;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The inner HTML of each page, from aggregate queries; every data value is escaped. */
final class Pages {
    static final int HOSTS_PER_PAGE = 50;

    private final FleetQueries q;
    private final HostStore hosts;
    private final Rollouts rollouts;
    private final Analytics analytics;
    private final Exposure exposure;
    private final InstantSource clock;

    Pages(FleetQueries q, HostStore hosts, Rollouts rollouts, Analytics analytics, Exposure exposure, InstantSource clock) {
        this.q = q;
        this.hosts = hosts;
        this.rollouts = rollouts;
        this.analytics = analytics;
        this.exposure = exposure;
        this.clock = clock;
    }

    String fleet() {
        Html h = new Html();
        long total = q.hosts();
        h.raw("<h1>Fleet</h1><table class=\"kpi\"><tr><th>hosts</th>").figure("hosts", total).raw("</tr></table>");
        h.raw("<h2>Hosts by kernel release</h2><table>").head("kernel release", "hosts", "silent (no check-in for 10 min)");
        List<FleetQueries.KernelCount> kernels = q.byKernel(clock.millis());
        StringBuilder labels = new StringBuilder("[");
        StringBuilder values = new StringBuilder("[");
        for (FleetQueries.KernelCount k : kernels) {
            h.raw("<tr>").el("td", k.kernelRelease()).figure("kernel:" + k.kernelRelease(), k.hosts()).figure("silent:" + k.kernelRelease(), k.silent())
                    .raw("</tr>");
            labels.append(labels.length() > 1 ? "," : "").append(FleetJson.write(k.kernelRelease()));
            values.append(values.length() > 1 ? "," : "").append(k.hosts());
        }
        h.raw("</table>");
        h.raw("<div class=\"chart\" data-chart=\"bar\" data-labels=\"").text(labels + "]").raw("\" data-values=\"").text(values + "]")
                .raw("\" data-title=\"hosts by kernel release\"></div>");
        h.raw("<h2>Effective patch level per kernel release</h2><table>").head("kernel release", "patch", "version", "state", "hosts");
        q.patchLevels().forEach(p -> h.raw("<tr>").el("td", p.kernelRelease()).el("td", p.patch()).el("td", p.version()).el("td", p.state())
                .figure("level:" + p.kernelRelease() + ":" + p.patch() + ":" + p.state(), p.hosts()).raw("</tr>"));
        h.raw("</table><h2>Apply outcomes per kernel release</h2>");
        failuresTable(h, analytics.failures(Filter.ALL));
        h.raw("<h2>Hosts by binding labels</h2><table>").head("labels", "hosts");
        q.byLabels().forEach(l -> h.row(l.labels(), l.hosts()));
        return h.raw("</table>").toString();
    }

    String hostList(String prefix, String afterName, String afterId) {
        Html h = new Html();
        h.raw("<h1>Hosts</h1><form method=\"get\" action=\"/hosts\" class=\"search\"><input name=\"q\" placeholder=\"hostname starts with\" value=\"")
                .text(prefix).raw("\"><button>Search</button></form><table id=\"hosts\">").head("hostname", "kernel", "last check-in", "");
        List<FleetQueries.HostRow> rows = q.hostsPage(prefix, afterName, afterId, HOSTS_PER_PAGE + 1);
        boolean more = rows.size() > HOSTS_PER_PAGE;
        List<FleetQueries.HostRow> shown = more ? rows.subList(0, HOSTS_PER_PAGE) : rows;
        for (FleetQueries.HostRow r : shown) {
            h.raw("<tr data-host=\"").text(r.id()).raw("\"><td><a href=\"/hosts/").text(r.id()).raw("\">").text(r.hostname()).raw("</a></td>")
                    .el("td", r.kernelRelease()).el("td", r.lastSeenAt()).el("td", r.revoked() ? "REVOKED" : "").raw("</tr>");
        }
        h.raw("</table>");
        if (more) {
            FleetQueries.HostRow last = shown.get(shown.size() - 1);
            h.raw("<p><a id=\"next\" href=\"/hosts?q=").text(url(prefix)).raw("&amp;afterName=").text(url(last.hostname())).raw("&amp;afterId=")
                    .text(url(last.id())).raw("\">next page</a></p>");
        }
        return h.toString();
    }

    /** Null when there is no such host. */
    String host(String id) {
        HostView v = hosts.get(id).orElse(null);
        if (v == null) {
            return null;
        }
        Html h = new Html();
        h.raw("<h1>").text(v.hostname()).raw("</h1><table>");
        h.row("id", v.id()).row("kernel release", v.kernelRelease()).row("distro", v.distro()).row("capabilities", String.join(", ", v.capabilities()))
                .row("binding labels", v.labels()).row("host-claimed labels", v.hostLabels())
                .row("taint", v.taint() == null ? "never read" : v.taint() + (BadTaint.added(0, v.taint()) == 0 ? " (no bad flag)"
                        : " (bad flags " + BadTaint.letters(BadTaint.added(0, v.taint())) + ")"))
                .row("last check-in", v.lastSeenAt()).row("revoked", v.revokedAt() == null ? "no" : v.revokedAt());
        h.raw("</table><h2>Loaded patches</h2><table>").head("patch", "version", "state");
        for (LoadedPatch p : v.loaded()) {
            h.row(p.name(), p.version(), p.state());
        }
        h.raw("</table><h2>Events (newest first)</h2><ol class=\"timeline\">");
        for (FleetQueries.Event e : q.events(id)) {
            JsonNode ev = e.evidence();
            h.raw("<li class=\"event\"><span class=\"when\">").text(e.occurredAt()).raw("</span> <b>").text(e.kind() + " " + e.result()).raw("</b> ")
                    .text(e.patch() == null ? "" : e.patch() + " " + e.version()).raw("<div>").text(ev.path("message").asText("")).raw("</div>");
            JsonNode t = ev.path("timings");
            if (t.isObject()) {
                h.raw("<div class=\"timings\">insmod ").text(t.path("insmodMs").asText("-")).raw(" ms (CPU ").text(t.path("insmodCpuMs").asText("-"))
                        .raw(" ms), transition ").text(t.path("transitionMs").asText("-")).raw(" ms, total ").text(t.path("totalMs").asText("-")).raw(" ms</div>");
            }
            for (JsonNode b : ev.path("blockers")) {
                h.raw("<div class=\"blocker\">blocked by <b>").text(b.path("comm").asText()).raw("</b> pid ").text(b.path("pid").asText())
                        .raw(" in <b>").text(functions(b)).raw("</b><pre>");
                b.path("stack").forEach(f -> h.text(f.asText()).raw("\n"));
                h.raw("</pre></div>");
            }
            JsonNode impact = ev.path("impact");
            if (impact.isObject()) {
                h.raw("<table class=\"impact\">").head("phase", "elapsed ms", "ksoftirqd max delay ns", "retransmits", "cpu some µs");
                impact.fields().forEachRemaining(ph -> h.row(ph.getKey(), ph.getValue().path("elapsed").asText("-"),
                        ph.getValue().path("ksoftirqdMaxDelayNanos").asText("-"), ph.getValue().path("retransSegs").asText("-"),
                        ph.getValue().path("cpuSomeMicros").asText("-")));
                h.raw("</table>");
            }
            if (ev.path("kernelLog").size() > 0) {
                h.raw("<details><summary>kernel log</summary><pre>");
                ev.path("kernelLog").forEach(l -> h.text(l.asText()).raw("\n"));
                h.raw("</pre></details>");
            }
            h.raw("</li>");
        }
        return h.raw("</ol>").toString();
    }

    String patches() {
        Html h = new Html();
        List<FleetQueries.ArtifactRow> arts = q.artifacts();
        TreeSet<String> kernels = new TreeSet<>();
        Map<String, Map<String, FleetQueries.ArtifactRow>> grid = new TreeMap<>();
        for (FleetQueries.ArtifactRow a : arts) {
            kernels.add(a.kernelRelease());
            grid.computeIfAbsent(a.patch() + " " + a.version(), k -> new TreeMap<>()).put(a.kernelRelease(), a);
        }
        Map<String, Long> running = new TreeMap<>();
        q.running().forEach(r -> running.put(r.patch() + " " + r.version() + "@" + r.kernelRelease(), r.hosts()));
        h.raw("<h1>Patches</h1><p>Each cell: lint verdicts, CVEs signed into the build, hosts running it (enabled).</p><table><tr><th>patch version</th>");
        kernels.forEach(k -> h.el("th", k));
        h.raw("</tr>");
        grid.forEach((pv, byKernel) -> {
            h.raw("<tr>").el("th", pv);
            for (String k : kernels) {
                FleetQueries.ArtifactRow a = byKernel.get(k);
                if (a == null) {
                    h.raw("<td class=\"none\">no build</td>");
                    continue;
                }
                StringBuilder lints = new StringBuilder();
                a.lints().forEach(l -> lints.append(lints.length() == 0 ? "" : ", ").append(l.path("lint").asText()).append(' ').append(l.path("level").asText()));
                StringBuilder cves = new StringBuilder();
                a.cves().forEach(c -> cves.append(cves.length() == 0 ? "" : ", ").append(c.asText()));
                h.raw("<td><div class=\"lints\">").text(lints).raw("</div><div class=\"cves\">").text(cves).raw("</div><div>hosts <span data-figure=\"")
                        .text("running:" + pv + "@" + k).raw("\">").text(running.getOrDefault(pv + "@" + k, 0L)).raw("</span></div></td>");
            }
            h.raw("</tr>");
        });
        return h.raw("</table>").toString();
    }

    String rolloutList() {
        Html h = new Html();
        h.raw("<h1>Rollouts</h1><table>").head("rollout", "patch", "status", "wave", "applied", "failed", "stalled", "created");
        for (RolloutView r : rollouts.list()) {
            int applied = r.waves().stream().mapToInt(RolloutView.WaveProgress::applied).sum();
            int failed = r.waves().stream().mapToInt(RolloutView.WaveProgress::failed).sum();
            int stalled = r.waves().stream().mapToInt(RolloutView.WaveProgress::stalled).sum();
            h.raw("<tr><td><a href=\"/rollouts/").text(r.id()).raw("\">").text(r.id()).raw("</a></td>").el("td", r.patch() + " " + r.version())
                    .el("td", r.status()).el("td", r.currentWave() + 1).figure("applied:" + r.id(), applied).figure("failed:" + r.id(), failed)
                    .figure("stalled:" + r.id(), stalled).el("td", r.createdAt()).raw("</tr>");
        }
        return h.raw("</table>").toString();
    }

    /** Null when there is no such rollout. */
    String rollout(String id, boolean canAct) {
        RolloutView r = rollouts.view(id).orElse(null);
        if (r == null) {
            return null;
        }
        Html h = new Html();
        h.raw("<h1>Rollout ").text(r.id()).raw("</h1><p>").text(r.patch() + " " + r.version()).raw(" — <b data-figure=\"status\">").text(r.status())
                .raw("</b>").text(r.haltReason() == null ? "" : " (" + r.haltReason() + ")").raw("</p>");
        h.raw("<table>").head("wave", "name", "hosts", "pending", "applying", "applied", "failed", "stalled", "retrying", "rolled back");
        StringBuilder names = new StringBuilder("[");
        StringBuilder applied = new StringBuilder("[");
        StringBuilder applying = new StringBuilder("[");
        StringBuilder pending = new StringBuilder("[");
        StringBuilder bad = new StringBuilder("[");
        long finished = 0;
        long failed = 0;
        long stalled = 0;
        for (RolloutView.WaveProgress w : r.waves()) {
            h.raw("<tr>").el("td", w.index() + 1).el("td", w.name()).figure("wave:" + w.index() + ":hosts", w.hosts()).figure("wave:" + w.index() + ":pending", w.pending())
                    .figure("wave:" + w.index() + ":applying", w.applying()).figure("wave:" + w.index() + ":applied", w.applied())
                    .figure("wave:" + w.index() + ":failed", w.failed()).figure("wave:" + w.index() + ":stalled", w.stalled())
                    .figure("wave:" + w.index() + ":retrying", w.retrying()).el("td", w.rolledBack()).raw("</tr>");
            String sep = names.length() > 1 ? "," : "";
            names.append(sep).append(FleetJson.write(w.name()));
            applied.append(sep).append(w.applied());
            // A host retrying a stalled transition is still applying (it holds a slot); not failed or stalled yet.
            applying.append(sep).append(w.applying() + w.retrying());
            pending.append(sep).append(w.pending());
            bad.append(sep).append(w.failed() + w.stalled());
            finished += w.applied() + w.failed() + w.stalled();
            failed += w.failed();
            stalled += w.stalled();
        }
        h.raw("</table><div class=\"chart\" data-chart=\"stack\" data-labels=\"").text(names + "]").raw("\" data-series=\"")
                .text("{\"applied\":" + applied + "],\"applying\":" + applying + "],\"pending\":" + pending + "],\"failed or stalled\":" + bad + "]}")
                .raw("\" data-title=\"hosts per wave\"></div>");
        JsonNode gates = q.gates(id);
        h.raw("<h2>Gates</h2><table>").head("gate", "value", "threshold");
        double failureRate = finished == 0 ? 0 : (double) failed / finished;
        double stallRate = finished == 0 ? 0 : (double) stalled / finished;
        h.raw("<tr><td>failure rate (of finished hosts)</td>").figure("gate:failure", String.format("%.3f", failureRate))
                .el("td", gates == null ? "-" : gates.path("maxFailureRate").asText("-")).raw("</tr>");
        h.raw("<tr><td>stall rate (of finished hosts)</td>").figure("gate:stall", String.format("%.3f", stallRate))
                .el("td", gates == null ? "-" : gates.path("maxStallRate").asText("-")).raw("</tr>");
        if (gates != null) {
            h.row("silence after apply", "-", gates.path("silenceAfterApply").asText("-"));
            gates.path("impactMax").fields().forEachRemaining(e -> h.row("impact " + e.getKey(), "see events", e.getValue().asText()));
        }
        h.raw("</table><h2>Actions</h2>");
        if (canAct) {
            h.raw("<p class=\"actions\">");
            for (Command.Verb v : Command.Verb.values()) {
                h.raw("<a class=\"button\" href=\"/rollouts/").text(r.id()).raw("/confirm/").text(v.wire()).raw("\">").text(v.wire()).raw("</a> ");
            }
            h.raw("</p>");
        } else {
            h.raw("<p>Signed in with a viewer token: operator actions need an operator token.</p>");
        }
        h.raw("<h2>Decision log</h2><table>").head("#", "at", "kind", "wave", "actor", "reason");
        List<RolloutView.DecisionRecord> ds = r.decisions();
        for (int i = ds.size() - 1; i >= 0 && i >= ds.size() - 200; i--) {
            RolloutView.DecisionRecord d = ds.get(i);
            h.row(d.seq(), d.at(), d.kind(), d.wave() + 1, d.actor(), d.reason());
        }
        return h.raw("</table>").toString();
    }

    String confirm(String id, String verb, String csrf) {
        Html h = new Html();
        h.raw("<h1>").text(verb).raw(" rollout ").text(id).raw("?</h1><form method=\"post\" action=\"/rollouts/").text(id).raw("/").text(verb)
                .raw("\"><input type=\"hidden\" name=\"csrf\" value=\"").text(csrf).raw("\"><label>reason <input name=\"reason\" maxlength=\"256\"></label> ")
                .raw("<button id=\"confirm\">Yes, ").text(verb).raw("</button> <a href=\"/rollouts/").text(id).raw("\">cancel</a></form>");
        return h.toString();
    }

    String analytics() {
        Html h = new Html();
        h.raw("<h1>Analytics</h1><h2>Top transition-stall causes: blocking functions</h2>");
        Reports.Stalls s = analytics.stalls(Filter.ALL, Analytics.DEFAULT_LIMIT);
        causes(h, "fn", s.functions());
        h.raw("<h2>Blocking tasks</h2>");
        causes(h, "task", s.tasks());
        h.raw("<h2>Apply impact (p50 / p95 / p99)</h2><table>").head("kernel", "patch", "loads", "ksoftirqd delay ms", "TCP retransmits", "insmod CPU ms",
                "transition ms");
        List<Reports.Impact> impact = analytics.impact(Filter.ALL);
        StringBuilder labels = new StringBuilder("[");
        StringBuilder p50 = new StringBuilder("[");
        StringBuilder p95 = new StringBuilder("[");
        StringBuilder p99 = new StringBuilder("[");
        for (Reports.Impact i : impact) {
            String key = i.kernelRelease() + ":" + i.patch();
            h.raw("<tr>").el("td", i.kernelRelease()).el("td", i.patch()).figure("impact:" + key + ":loads", i.loads())
                    .el("td", dist(i.ksoftirqdDelayNanos(), 1_000_000)).el("td", dist(i.tcpRetransmits(), 1))
                    .figure("impact:" + key + ":insmodCpuMs", dist(i.insmodCpuMs(), 1)).el("td", dist(i.transitionMs(), 1)).raw("</tr>");
            String sep = labels.length() > 1 ? "," : "";
            labels.append(sep).append(FleetJson.write(i.patch() + " @ " + i.kernelRelease()));
            p50.append(sep).append(i.insmodCpuMs().p50() == null ? "null" : i.insmodCpuMs().p50());
            p95.append(sep).append(i.insmodCpuMs().p95() == null ? "null" : i.insmodCpuMs().p95());
            p99.append(sep).append(i.insmodCpuMs().p99() == null ? "null" : i.insmodCpuMs().p99());
        }
        h.raw("</table><div class=\"chart\" data-chart=\"group\" data-labels=\"").text(labels + "]").raw("\" data-series=\"")
                .text("{\"p50\":" + p50 + "],\"p95\":" + p95 + "],\"p99\":" + p99 + "]}").raw("\" data-title=\"insmod CPU ms\"></div>");
        h.raw("<h2>Failure and stall rates per kernel release</h2>");
        failuresTable(h, analytics.failures(Filter.ALL));
        return h.toString();
    }

    String cves() {
        Html h = new Html();
        h.raw("<h1>CVEs</h1><p>fixed: an enabled live patch closes it; fixable: a signed build exists for the host's kernel, not applied; "
                + "not fixable: no build for that kernel (reboot into a fixed kernel).</p><table>").head("CVE", "hosts", "fixed", "fixable", "not fixable", "builds");
        for (Exposure.CveSummary c : exposure.summaries(null)) {
            h.raw("<tr>").el("td", c.cve()).el("td", c.hosts()).figure("cve:" + c.cve() + ":fixed", c.fixed()).figure("cve:" + c.cve() + ":fixable", c.fixable())
                    .figure("cve:" + c.cve() + ":notFixable", c.notFixable())
                    .el("td", String.join(", ", c.builds().stream().map(b -> b.patch() + " " + b.version() + " @ " + b.kernelRelease()).toList())).raw("</tr>");
        }
        return h.raw("</table>").toString();
    }

    private static void causes(Html h, String kind, List<Reports.Cause> causes) {
        h.raw("<table>").head("#", "name", "kernel", "patch", "hosts", "loads");
        for (int i = 0; i < causes.size(); i++) {
            Reports.Cause c = causes.get(i);
            h.raw("<tr>").el("td", i + 1).raw("<td data-figure=\"").text(kind + ":" + i + ":name").raw("\">").text(c.name()).raw("</td>")
                    .el("td", c.kernelRelease()).el("td", c.patch()).figure(kind + ":" + i + ":hosts", c.hosts()).figure(kind + ":" + i + ":loads", c.loads())
                    .raw("</tr>");
        }
        h.raw("</table>");
    }

    private static void failuresTable(Html h, List<Reports.Failures> rows) {
        h.raw("<table>").head("kernel", "loads", "hosts", "applied", "refused", "stalled", "failed", "unknown", "stall rate", "failure rate");
        for (Reports.Failures f : rows) {
            String k = "failures:" + f.kernelRelease() + ":";
            h.raw("<tr>").el("td", f.kernelRelease()).figure(k + "loads", f.loads()).el("td", f.hosts()).figure(k + "applied", f.applied())
                    .el("td", f.refused()).figure(k + "stalled", f.stalled()).figure(k + "failed", f.failed()).el("td", f.unknown())
                    .el("td", String.format("%.1f%%", 100 * f.stallRate())).el("td", String.format("%.1f%%", 100 * f.failureRate())).raw("</tr>");
        }
        h.raw("</table>");
    }

    private static String dist(Reports.Distribution d, long divisor) {
        if (d.n() == 0) {
            return "-";
        }
        return d.n() == 0 ? "-" : fmt(d.p50(), divisor) + " / " + fmt(d.p95(), divisor) + " / " + fmt(d.p99(), divisor);
    }

    private static String fmt(Long v, long divisor) {
        return divisor == 1 ? Long.toString(v) : String.format("%.1f", v / (double) divisor);
    }

    private static String functions(JsonNode blocker) {
        List<String> f = new java.util.ArrayList<>();
        blocker.path("functions").forEach(x -> f.add(x.asText()));
        return f.isEmpty() ? "no patched function" : String.join(", ", f);
    }

    private static String url(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    static String now(Instant i) {
        return i.toString();
    }
}
