package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.server.dashboard.DashboardOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The dashboard's sign-in, session cookie and CSRF rules over plain HTTP (the browser test drives the same through Chromium). */
class DashboardHttpTest {
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private HttpResponse<String> post(URI base, String path, String form, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(URI base, String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_token_signs_in_to_an_httponly_strict_expiring_session_and_posts_need_its_csrf_token() throws Exception {
        try (TestFleet fleet = new TestFleet(null, HttpLimits.DEFAULT, DashboardOptions.on("127.0.0.1", 0))) {
            URI web = fleet.server.dashboardUri();
            assertThat(get(web, "/", null).statusCode()).isEqualTo(303);
            HttpResponse<String> bad = post(web, "/signin", "token=nope", null);
            assertThat(bad.statusCode()).as(bad.body()).isEqualTo(401);
            String viewer = fleet.token("http-viewer", "VIEWER");
            HttpResponse<String> in = post(web, "/signin", "token=" + viewer, null);
            assertThat(in.statusCode()).as(in.body()).isEqualTo(303);
            String setCookie = in.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(setCookie).startsWith("klpfleet_session=").contains("HttpOnly", "SameSite=Strict", "Max-Age=28800", "Path=/");
            String cookie = setCookie.split(";", 2)[0];
            HttpResponse<String> page = get(web, "/", cookie);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'none'");
            Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
            assertThat(csrf.find()).isTrue();
            assertThat(post(web, "/signout", "x=1", cookie).statusCode()).isEqualTo(403);
            assertThat(post(web, "/signout", "csrf=wrong", cookie).statusCode()).isEqualTo(403);
            assertThat(get(web, "/", cookie).statusCode()).as("a refused sign-out changes nothing").isEqualTo(200);
            HttpResponse<String> cross = http.send(HttpRequest.newBuilder(web.resolve("/signout")).header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Cookie", cookie).header("Origin", "http://evil.example").POST(HttpRequest.BodyPublishers.ofString("csrf=" + csrf.group(1))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(cross.statusCode()).isEqualTo(403);
            assertThat(post(web, "/signout", "csrf=" + csrf.group(1), cookie).statusCode()).isEqualTo(303);
            assertThat(get(web, "/", cookie).statusCode()).as("signed out").isEqualTo(303);
            assertThat(get(web, "/assets/echarts.min.js", null).body()).contains("echarts");
        }
    }
}
