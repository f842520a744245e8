package dev.klpfleet.cli.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/** {@code --log-format}: the text lines of logback.xml, or {@link JsonLines}, on the same stderr appender. */
public enum LogFormat {
    TEXT, JSON;

    /** The pattern of cli/src/main/resources/logback.xml. */
    static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n";

    /** The format {@code --log-format} names, or a usage error. */
    public static LogFormat parse(String s) {
        if ("text".equals(s)) {
            return TEXT;
        }
        if ("json".equals(s)) {
            return JSON;
        }
        throw new dev.klpfleet.cli.CommandFailure(dev.klpfleet.cli.ExitCodes.USAGE, "--log-format must be text or json, not '" + s + "'");
    }

    /** Switches the stderr appender to this format. */
    public void apply() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> a = root.getAppender("STDERR");
        if (!(a instanceof ConsoleAppender<ILoggingEvent> console)) {
            return;
        }
        Encoder<ILoggingEvent> encoder;
        if (this == JSON) {
            JsonLines j = new JsonLines();
            j.setContext(ctx);
            encoder = j;
        } else {
            PatternLayoutEncoder p = new PatternLayoutEncoder();
            p.setContext(ctx);
            p.setPattern(TEXT_PATTERN);
            encoder = p;
        }
        encoder.start();
        console.stop();
        console.setEncoder(encoder);
        console.start();
    }
}
