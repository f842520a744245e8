package dev.klpfleet.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** --log-format json: a log event with the fleet fields comes out on stderr as one JSON object on one line. */
class LogFormatTest {
    static String stderrOf(LogFormat format, Runnable logging) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            format.apply();
            logging.run();
        } finally {
            LogFormat.TEXT.apply();
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aRolloutHaltLogsOneJsonLineWithStableFieldNames() throws Exception {
        String err = stderrOf(LogFormat.JSON, () -> LoggerFactory.getLogger("dev.klpfleet.server.rollout.Rollouts").atInfo()
                .addKeyValue("rollout", "r_1").addKeyValue("patch", "fix_cmdline").addKeyValue("version", "3").addKeyValue("outcome", "paused")
                .log("rollout {} is PAUSED: gate: host h_1 impact over its limit\nsecond line", "r_1"));
        assertThat(err.lines().toList()).as(err).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(err);
        assertThat(line.path("level").asText()).isEqualTo("INFO");
        assertThat(line.path("logger").asText()).isEqualTo("dev.klpfleet.server.rollout.Rollouts");
        assertThat(line.path("rollout").asText()).isEqualTo("r_1");
        assertThat(line.path("patch").asText()).isEqualTo("fix_cmdline");
        assertThat(line.path("version").asText()).isEqualTo("3");
        assertThat(line.path("outcome").asText()).isEqualTo("paused");
        assertThat(line.path("message").asText()).startsWith("rollout r_1 is PAUSED: gate:");
        assertThat(java.time.Instant.parse(line.path("time").asText())).isNotNull();
    }

    @Test
    void anExceptionIsOneFieldNotAStackTrace() throws Exception {
        String err = stderrOf(LogFormat.JSON, () -> LoggerFactory.getLogger("dev.klpfleet.test").warn("tick failed",
                new IllegalStateException("database gone\nat somewhere")));
        assertThat(err.lines().toList()).hasSize(1);
        assertThat(new ObjectMapper().readTree(err).path("error").asText()).isEqualTo("IllegalStateException: database gone");
    }

    @Test
    void textStaysTheDefaultPattern() {
        String err = stderrOf(LogFormat.TEXT, () -> LoggerFactory.getLogger("dev.klpfleet.test").warn("plain {}", "line"));
        assertThat(err).contains("WARN ").contains(" - plain line").doesNotContain("{");
    }
}
