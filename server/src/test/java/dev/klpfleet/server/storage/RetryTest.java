package dev.klpfleet.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {

    @Test
    void aSerializationFailureIsRetriedUntilTheWorkSucceeds() {
        AtomicInteger attempts = new AtomicInteger();
        String result = Retry.onConflict(() -> {
            if (attempts.incrementAndGet() < 3) {
                throw new IllegalStateException(new SQLException("could not serialize access", "40001"));
            }
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(attempts).hasValue(3);
    }

    @Test
    void otherFailuresAreNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> Retry.onConflict(() -> {
            attempts.incrementAndGet();
            throw new IllegalStateException(new SQLException("duplicate key", "23505"));
        })).hasMessageContaining("duplicate key");
        assertThat(attempts).hasValue(1);
    }

    @Test
    void retriesAreBounded() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> Retry.onConflict(() -> {
            attempts.incrementAndGet();
            throw new IllegalStateException(new SQLException("restart transaction", "40001"));
        })).isInstanceOf(IllegalStateException.class);
        assertThat(attempts).hasValue(Retry.MAX_ATTEMPTS);
    }

    @Test
    void postgresUrlsBecomeJdbcUrlsWithCredentialsMovedOut() {
        var pg = (DatabaseLocation.Postgres) DatabaseLocation.parse("postgresql://fleet:s%40cret@db.example:26257/klp?schema=prod&sslmode=require");
        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:26257/klp?sslmode=require&currentSchema=prod");
        assertThat(pg.user()).isEqualTo("fleet");
        assertThat(pg.password()).isEqualTo("s@cret");
        assertThatThrownBy(() -> DatabaseLocation.parse("mysql://x/y")).hasMessageContaining("postgresql://");
    }
}
