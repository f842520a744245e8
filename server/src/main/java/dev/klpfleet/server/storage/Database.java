package dev.klpfleet.server.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;

/**
 * The fleet database: a HikariCP pool, migrated by Flyway on open, used through JDBI.
 * Every write goes through {@link #inTransaction}, which retries concurrency aborts
 * ({@link Retry}); readers use {@link #withHandle}. Thread-safe; close once.
 */
public final class Database implements AutoCloseable {
    /** How long a caller waits for a pooled connection before failing. */
    public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(10);
    /** How long SQLite waits on a locked database before reporting BUSY. */
    public static final Duration SQLITE_BUSY_TIMEOUT = Duration.ofSeconds(10);

    private final DatabaseLocation location;
    private final HikariDataSource pool;
    private final Jdbi jdbi;

    private Database(DatabaseLocation location, HikariDataSource pool) {
        this.location = location;
        this.pool = pool;
        this.jdbi = Jdbi.create(pool);
    }

    /**
     * Opens the pool and brings the schema to the newest migration.
     *
     * @throws org.flywaydb.core.api.FlywayException if a migration fails (nothing half-applied on PostgreSQL)
     */
    public static Database open(DatabaseLocation location) {
        return open(location, null);
    }

    /**
     * As {@link #open(DatabaseLocation)}, with the pool's figures (HikariCP's Micrometer binding,
     * {@code hikaricp_*}) and every statement's latency ({@link QueryTimer}) in {@code registry} if not null.
     */
    public static Database open(DatabaseLocation location, MeterRegistry registry) {
        HikariConfig cfg = new HikariConfig();
        if (registry != null) {
            cfg.setMetricRegistry(registry);
        }
        cfg.setJdbcUrl(location.jdbcUrl());
        cfg.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        cfg.setPoolName("klpfleet-db");
        if (location instanceof DatabaseLocation.Sqlite) {
                Properties p = new Properties();
                p.setProperty("journal_mode", "WAL");
                p.setProperty("synchronous", "NORMAL");
                p.setProperty("busy_timeout", Long.toString(SQLITE_BUSY_TIMEOUT.toMillis()));
                // BEGIN IMMEDIATE takes the write lock up front, so two writers queue on
                // busy_timeout instead of deadlocking on a read-to-write lock upgrade.
                p.setProperty("transaction_mode", "IMMEDIATE");
                cfg.setDataSourceProperties(p);
                cfg.setMaximumPoolSize(4);
        } else if (location instanceof DatabaseLocation.Postgres pg) {
                if (pg.user() != null) {
                    cfg.setUsername(pg.user());
                }
                if (pg.password() != null) {
                    cfg.setPassword(pg.password());
                }
                cfg.setMaximumPoolSize(8);
        }
        HikariDataSource pool = new HikariDataSource(cfg);
        try {
            var flyway = Flyway.configure().dataSource(pool).locations("classpath:db/migration")
                    .javaMigrations(new dev.klpfleet.server.analytics.ImpactHistogramsBackfill());
            if (location instanceof DatabaseLocation.Postgres pg && pg.schema() != null) {
                flyway = flyway.schemas(pg.schema()).createSchemas(true);
            }
            flyway.load().migrate();
            Database db = new Database(location, pool);
            if (registry != null) {
                db.jdbi.getConfig(SqlStatements.class).setSqlLogger(new QueryTimer(registry));
            }
            return db;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    public DatabaseLocation location() {
        return location;
    }

    public boolean isSqlite() {
        return location instanceof DatabaseLocation.Sqlite;
    }

    /** Runs {@code work} in one transaction, rerun from the start on a concurrency abort. */
    public <T> T inTransaction(HandleCallback<T, RuntimeException> work) {
        return Retry.onConflict(() -> jdbi.inTransaction(work));
    }

    /** Runs {@code work} on a pooled connection in auto-commit mode. */
    public <T> T withHandle(HandleCallback<T, RuntimeException> work) {
        return jdbi.withHandle(work);
    }

    /**
     * Bumps the desired-state generation; call inside the transaction that changed desired state.
     * Returns this change's own generation: the row stays locked by the transaction until it ends.
     */
    public static long bumpGeneration(Handle h) {
        h.execute("UPDATE fleet_generation SET value = value + 1 WHERE id = 'desired'");
        return h.createQuery("SELECT value FROM fleet_generation WHERE id = 'desired'").mapTo(Long.class).one();
    }

    /** The current desired-state generation. */
    public long generation() {
        return withHandle(h -> h.createQuery("SELECT value FROM fleet_generation WHERE id = 'desired'")
                .mapTo(Long.class).one());
    }

    @Override
    public void close() {
        pool.close();
    }
}
