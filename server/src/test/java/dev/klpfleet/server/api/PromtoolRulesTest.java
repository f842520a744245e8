package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The shipped alert rules, checked and unit-tested by the real promtool from Debian's prometheus package. */
class PromtoolRulesTest {
    static final Path RULES = RealTool.packaging().resolve("klpfleet-rules.yml");
    static final Path TESTS = RealTool.packaging().resolve("tests/klpfleet-rules.test.yml");

    static String run(List<String> cmd, int expectedExit) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + "\n" + out).isEqualTo(expectedExit);
        return out;
    }

    @Test
    void theRulesAreValidAndEveryAlertPassesItsUnitTests() throws Exception {
        Path promtool = RealTool.require("promtool", "prometheus");
        assertThat(run(List.of(promtool.toString(), "check", "rules", RULES.toString()), 0)).contains("SUCCESS");
        assertThat(run(List.of(promtool.toString(), "test", "rules", TESTS.toString()), 0)).contains("SUCCESS");
    }

    @Test
    void everyAlertHasARunbookAndAUnitTest() throws Exception {
        String rules = Files.readString(RULES);
        String tests = Files.readString(TESTS);
        Matcher m = Pattern.compile("- alert: (\\w+)").matcher(rules);
        int alerts = 0;
        for (String block : rules.split("\n      - alert: ")) {
            if (block.startsWith("Klpfleet")) {
                assertThat(block).as(block.lines().findFirst().orElse("")).contains("runbook: ");
            }
        }
        while (m.find()) {
            alerts++;
            assertThat(tests).as("a promtool test for " + m.group(1)).contains("alertname: " + m.group(1) + "\n        exp_alerts:\n          - exp_labels");
        }
        assertThat(alerts).isGreaterThanOrEqualTo(8);
    }

    @Test
    void aBrokenRuleFailsPromtool() throws Exception {
        Path promtool = RealTool.require("promtool", "prometheus");
        Path broken = Files.createTempFile("klpfleet-broken", ".yml");
        Files.writeString(broken, Files.readString(RULES).replace("klpfleet_rollout_halted{cause=\"gate\"}) > 0", "klpfleet_rollout_halted{cause=\"gate\"}) >"));
        assertThat(run(List.of(promtool.toString(), "check", "rules", broken.toString()), 1)).contains("FAILED");
    }
}
