package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.server.dashboard.DashboardOptions;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser (Debian's headless Chromium through chromedriver) against a real
 * server whose fleet was seeded through the API with evidence recorded on real kernels: every page's
 * figures equal the API's, sign-in and sign-out work, a viewer cannot act, a form without the CSRF
 * token is refused, and no page requests anything from another origin. Screenshots go to
 * {@code target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Path SHOTS = Path.of("target/screenshots");

    static TestFleet fleet;
    static RecordedFleet seeded;
    static String viewerToken;
    static String operatorToken;
    static String rolloutId;
    static URI web;
    static WebDriver browser;
    static Path profile;

    @BeforeAll
    static void fleetAndBrowser() throws Exception {
        assertThat(new File(CHROMEDRIVER)).as("chromium and chromium-driver from Debian: run testbench/install-deps").exists();
        fleet = new TestFleet(null, HttpLimits.DEFAULT, DashboardOptions.on("127.0.0.1", 0));
        web = fleet.server.dashboardUri();
        seeded = RecordedFleet.seed(fleet);
        for (String k : List.of("6.1.0-57-amd64", "6.12.117+deb12-amd64")) {
            assertThat(fleet.admin.post("/api/v1/artifacts", fleet.artifact("klpf_cmdline", "1", k, List.of("CVE-2030-1111"))).status()).isEqualTo(201);
        }
        // The first host of each kernel line runs the patch.
        seeded.hosts.get(0).checkinWith("klpf_cmdline", "1");
        seeded.hosts.get(RecordedFleet.HOSTS_PER_LINE).checkinWith("klpf_cmdline", "1");
        await().atMost(WAIT).until(() -> fleet.admin.get("/api/v1/cves").json().path(0).path("fixed").asLong() == 2);
        FleetClient.Answer r = fleet.admin.post("/api/v1/rollouts", Map.of("patch", "klpf_cmdline", "version", "1", "plan", Map.of(
                "waves", List.of(Map.of("name", "canary", "kind", "COUNT", "count", 2), Map.of("name", "rest", "kind", "PERCENT", "percent", 100)),
                "soak", "PT1H")));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        rolloutId = r.json().path("id").asText();
        // The canary wave is told to apply on the engine's first steps; its hosts never answer, so the figures then stay put.
        await().atMost(WAIT).until(() -> fleet.admin.get("/api/v1/rollouts/" + rolloutId).json().path("waves").path(0).path("applying").asInt() == 2);
        viewerToken = fleet.token("dash-viewer", "VIEWER");
        operatorToken = fleet.token("dash-operator", "OPERATOR");

        profile = Files.createTempDirectory("klpfleet-chromium");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, o);
        browser.manage().timeouts().pageLoadTimeout(WAIT);
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    static void open(String path) {
        browser.get(web.resolve(path).toString());
    }

    static void signIn(String token) {
        open("/signin");
        browser.findElement(By.name("token")).sendKeys(token);
        browser.findElement(By.id("signin")).click();
        await().atMost(WAIT).until(() -> browser.findElements(By.id("signout")).size() == 1);
    }

    static void signOut() {
        browser.findElement(By.id("signout")).click();
        await().atMost(WAIT).until(() -> browser.getCurrentUrl().endsWith("/signin"));
    }

    static String figure(String name) {
        return browser.findElement(By.cssSelector("[data-figure=\"" + name.replace("\"", "\\\"") + "\"]")).getText().strip();
    }

    static void shot(String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeAsyncScript(script, args);
    }

    /** Every resource the page loaded came from the dashboard's own origin, and its charts script ran. */
    static void onlyOwnOrigin() {
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
                        + ".concat(performance.getEntriesByType('navigation').map(function (e) { return e.name; }));");
        String origin = web.toString();
        assertThat(names).isNotEmpty().allSatisfy(n -> assertThat(n).startsWith(origin));
    }

    @Test
    @Order(1)
    void a_page_without_a_session_sends_to_sign_in_and_a_wrong_token_is_refused() throws Exception {
        open("/");
        assertThat(browser.getCurrentUrl()).endsWith("/signin");
        shot("signin");
        browser.findElement(By.name("token")).sendKeys("not-a-token");
        browser.findElement(By.id("signin")).click();
        assertThat(browser.findElement(By.cssSelector(".error")).getText()).contains("unknown, revoked or not an operator token");
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(web.resolve("/signin")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'none'", "script-src 'self'", "form-action 'self'");
    }

    @Test
    @Order(2)
    void a_viewer_sees_every_page_with_the_apis_figures() throws Exception {
        signIn(viewerToken);
        Cookie c = browser.manage().getCookieNamed("klpfleet_session");
        assertThat(c.isHttpOnly()).isTrue();
        assertThat(c.getSameSite()).isEqualTo("Strict");
        assertThat(c.getExpiry()).isNotNull();

        // Fleet
        open("/");
        JsonNode hosts = fleet.admin.get("/api/v1/hosts").json();
        assertThat(figure("hosts")).isEqualTo(String.valueOf(hosts.size()));
        Map<String, Integer> byKernel = new TreeMap<>();
        hosts.forEach(h -> byKernel.merge(h.path("kernelRelease").asText(), 1, Integer::sum));
        byKernel.forEach((k, n) -> assertThat(figure("kernel:" + k)).isEqualTo(String.valueOf(n)));
        byKernel.keySet().forEach(k -> assertThat(figure("level:" + k + ":klpf_cmdline:enabled")).isEqualTo("1"));
        await().atMost(WAIT).until(() -> (Boolean) ((JavascriptExecutor) browser).executeScript(
                "return typeof echarts !== 'undefined' && document.querySelectorAll('.chart canvas').length > 0;"));
        onlyOwnOrigin();
        shot("fleet");

        // Hosts, and one host with its evidence timeline
        open("/hosts");
        assertThat(browser.findElements(By.cssSelector("#hosts tr[data-host]"))).hasSize(hosts.size());
        open("/hosts?q=web-6-12-");
        assertThat(browser.findElements(By.cssSelector("#hosts tr[data-host]"))).hasSize(RecordedFleet.HOSTS_PER_LINE);
        shot("hosts");
        TestFleet.Host stalled = seeded.hosts.get(RecordedFleet.HOSTS_PER_LINE);
        open("/hosts/" + stalled.id());
        long events = seeded.sent.stream().filter(s -> s.hostId().equals(stalled.id())).count();
        assertThat(browser.findElements(By.cssSelector(".timeline .event"))).hasSize((int) events);
        assertThat(browser.findElement(By.tagName("main")).getAttribute("textContent")).contains("klpf_sleeper", "klpf_target_wait [klpf_target]",
                "livepatch: 'klpf_target_patch': starting patching transition");
        shot("host");

        // Patches
        open("/patches");
        for (String k : byKernel.keySet()) {
            assertThat(figure("running:klpf_cmdline 1@" + k)).isEqualTo("1");
        }
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("CVE-2030-1111", "symbol-exists pass");
        shot("patches");

        // Rollouts
        JsonNode view = fleet.admin.get("/api/v1/rollouts/" + rolloutId).json();
        open("/rollouts/" + rolloutId);
        assertThat(figure("status")).isEqualTo(view.path("status").asText());
        for (JsonNode w : view.path("waves")) {
            for (String f : List.of("hosts", "applied", "applying", "pending", "failed", "stalled")) {
                assertThat(figure("wave:" + w.path("index").asInt() + ":" + f)).as(f).isEqualTo(w.path(f).asText());
            }
        }
        assertThat(browser.findElements(By.cssSelector(".actions a"))).as("a viewer is offered no action").isEmpty();
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("operator actions need an operator token", "DISPATCH");
        shot("rollout");
        open("/rollouts");
        shot("rollouts");

        // Analytics
        open("/analytics");
        JsonNode stalls = fleet.admin.get("/api/v1/analytics/stalls").json();
        for (int i = 0; i < stalls.path("functions").size(); i++) {
            JsonNode c0 = stalls.path("functions").get(i);
            assertThat(figure("fn:" + i + ":name")).isEqualTo(c0.path("name").asText());
            assertThat(figure("fn:" + i + ":hosts")).isEqualTo(c0.path("hosts").asText());
            assertThat(figure("fn:" + i + ":loads")).isEqualTo(c0.path("loads").asText());
        }
        for (JsonNode f : fleet.admin.get("/api/v1/analytics/failures").json()) {
            for (String n : List.of("loads", "applied", "stalled", "failed")) {
                assertThat(figure("failures:" + f.path("kernelRelease").asText() + ":" + n)).isEqualTo(f.path(n).asText());
            }
        }
        for (JsonNode i : fleet.admin.get("/api/v1/analytics/impact").json()) {
            JsonNode cpu = i.path("insmodCpuMs");
            String key = "impact:" + i.path("kernelRelease").asText() + ":" + i.path("patch").asText();
            assertThat(figure(key + ":loads")).isEqualTo(i.path("loads").asText());
            assertThat(figure(key + ":insmodCpuMs")).isEqualTo(cpu.path("n").asLong() == 0 ? "-"
                    : cpu.path("p50").asText() + " / " + cpu.path("p95").asText() + " / " + cpu.path("p99").asText());
        }
        onlyOwnOrigin();
        shot("analytics");

        // CVEs
        open("/cves");
        for (JsonNode c1 : fleet.admin.get("/api/v1/cves").json()) {
            for (String n : List.of("fixed", "fixable", "notFixable")) {
                assertThat(figure("cve:" + c1.path("cve").asText() + ":" + n)).isEqualTo(c1.path(n).asText());
            }
        }
        shot("cves");
    }

    @Test
    @Order(3)
    void a_viewer_cannot_act_and_a_form_without_the_csrf_token_is_refused() throws Exception {
        open("/rollouts/" + rolloutId + "/confirm/pause");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("Operator actions need an operator token");
        String csrf = browser.findElement(By.cssSelector("form.signout input[name=csrf]")).getAttribute("value");
        Object viewerPause = js("var done = arguments[arguments.length - 1]; fetch('/rollouts/' + arguments[0] + '/pause', {method: 'POST', "
                + "headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'csrf=' + encodeURIComponent(arguments[1])})"
                + ".then(function (r) { done(r.status); });", rolloutId, csrf);
        assertThat(((Number) viewerPause).intValue()).isEqualTo(403);
        Object noToken = js("var done = arguments[arguments.length - 1]; fetch('/signout', {method: 'POST', "
                + "headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'x=1'}).then(function (r) { done(r.status); });");
        assertThat(((Number) noToken).intValue()).isEqualTo(403);
        open("/");
        assertThat(browser.findElements(By.id("signout"))).as("still signed in: the forged sign-out changed nothing").hasSize(1);
        assertThat(fleet.admin.get("/api/v1/rollouts/" + rolloutId).json().path("status").asText()).isEqualTo("RUNNING");
    }

    @Test
    @Order(4)
    void sign_out_ends_the_session() throws Exception {
        signOut();
        open("/analytics");
        assertThat(browser.getCurrentUrl()).endsWith("/signin");
    }

    @Test
    @Order(5)
    void an_operator_pauses_a_rollout_after_confirming_and_the_open_page_follows_the_api() throws Exception {
        signIn(operatorToken);
        open("/rollouts/" + rolloutId);
        browser.findElement(By.linkText("pause")).click();
        browser.findElement(By.name("reason")).sendKeys("looking at the canary");
        shot("confirm");
        browser.findElement(By.id("confirm")).click();
        await().atMost(WAIT).ignoreExceptions().until(() -> figure("status").equals("PAUSED"));
        assertThat(fleet.admin.get("/api/v1/rollouts/" + rolloutId).json().path("status").asText()).isEqualTo("PAUSED");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("looking at the canary");
        // Changed elsewhere: the open page follows by polling, without a reload.
        ((JavascriptExecutor) browser).executeScript("window.klpfleetNotReloaded = true;");
        assertThat(fleet.admin.post("/api/v1/rollouts/" + rolloutId + "/resume", Map.of()).status()).isEqualTo(200);
        await().atMost(WAIT).ignoreExceptions().until(() -> figure("status").equals("RUNNING"));
        assertThat(((JavascriptExecutor) browser).executeScript("return window.klpfleetNotReloaded === true;")).isEqualTo(true);
        signOut();
        List<String> shots = new ArrayList<>();
        try (var s = Files.list(SHOTS)) {
            s.forEach(p -> shots.add(p.getFileName().toString()));
        }
        assertThat(shots).contains("signin.png", "fleet.png", "hosts.png", "host.png", "patches.png", "rollouts.png", "rollout.png", "analytics.png",
                "cves.png", "confirm.png");
    }
}
