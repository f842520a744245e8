package dev.klpfleet.server.storage;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.SQLException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;

/** Times every SQL statement JDBI runs, by its verb (select, insert, update, delete, other) and whether it failed. */
final class QueryTimer implements SqlLogger {
    private static final String[] VERBS = {"select", "insert", "update", "delete", "other"};
    private final Map<String, Timer> ok = new java.util.HashMap<>();
    private final Map<String, Timer> failed = new java.util.HashMap<>();

    QueryTimer(MeterRegistry registry) {
        for (String v : VERBS) {
            ok.put(v, timer(registry, v, "ok"));
            failed.put(v, timer(registry, v, "error"));
        }
    }

    private static Timer timer(MeterRegistry registry, String verb, String result) {
        return Timer.builder("klpfleet.db.queries").tag("operation", verb).tag("result", result)
                .description("SQL statements run, by verb and result, with the time each took").register(registry);
    }

    @Override
    public void logAfterExecution(StatementContext ctx) {
        ok.get(verb(ctx)).record(ctx.getElapsedTime(ChronoUnit.NANOS), TimeUnit.NANOSECONDS);
    }

    @Override
    public void logException(StatementContext ctx, SQLException ex) {
        failed.get(verb(ctx)).record(ctx.getElapsedTime(ChronoUnit.NANOS), TimeUnit.NANOSECONDS);
    }

    private String verb(StatementContext ctx) {
        String sql = ctx.getRawSql() == null ? "" : ctx.getRawSql().stripLeading();
        int end = 0;
        while (end < sql.length() && Character.isLetter(sql.charAt(end))) {
            end++;
        }
        String v = sql.substring(0, end).toLowerCase(Locale.ROOT);
        return ok.containsKey(v) ? v : "other";
    }
}
