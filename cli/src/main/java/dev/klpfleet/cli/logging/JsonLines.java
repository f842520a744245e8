package dev.klpfleet.cli.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per log event and line, with stable field names a log pipeline can index:
 * {@code time}, {@code level}, {@code logger}, {@code thread}, {@code message}, then any of
 * {@link #FIELDS} the event carries (as SLF4J key-value pairs or MDC), and {@code error} (type and
 * first message line of a throwable; no stack trace).
 */
public final class JsonLines extends EncoderBase<ILoggingEvent> {
    /** The fleet fields, in output order; other key-value pairs follow them under their own names. */
    public static final List<String> FIELDS = List.of("host", "patch", "version", "rollout", "outcome");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public byte[] headerBytes() {
        return new byte[0];
    }

    @Override
    public byte[] encode(ILoggingEvent e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("time", Instant.ofEpochMilli(e.getTimeStamp()).toString());
        o.put("level", e.getLevel().toString());
        o.put("logger", e.getLoggerName());
        o.put("thread", e.getThreadName());
        o.put("message", e.getFormattedMessage());
        Map<String, String> mdc = e.getMDCPropertyMap();
        for (String f : FIELDS) {
            if (mdc != null && mdc.get(f) != null) {
                o.put(f, mdc.get(f));
            }
        }
        if (e.getKeyValuePairs() != null) {
            for (KeyValuePair kv : e.getKeyValuePairs()) {
                if (kv.value != null) {
                    o.put(kv.key, String.valueOf(kv.value));
                }
            }
        }
        IThrowableProxy t = e.getThrowableProxy();
        if (t != null) {
            String m = t.getMessage() == null ? "" : t.getMessage().lines().findFirst().orElse("");
            o.put("error", t.getClassName().substring(t.getClassName().lastIndexOf('.') + 1) + (m.isEmpty() ? "" : ": " + m));
        }
        try {
            return (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException x) {
            return ("{\"level\":\"ERROR\",\"message\":\"log event not renderable\"}\n").getBytes(StandardCharsets.UTF_8);
        }
    }

    @Override
    public byte[] footerBytes() {
        return new byte[0];
    }
}
