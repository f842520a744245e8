package dev.klpfleet.server.storage;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the fleet's database lives: an embedded SQLite file, or a PostgreSQL-wire server
 * (PostgreSQL, CockroachDB, YugabyteDB).
 */
public sealed interface DatabaseLocation {

    /** The JDBC URL the pool connects with. */
    String jdbcUrl();

    /** An embedded SQLite database in one file. */
    record Sqlite(Path file) implements DatabaseLocation {
        @Override
        public String jdbcUrl() {
            return "jdbc:sqlite:" + file.toAbsolutePath();
        }
    }

    /**
     * A PostgreSQL-wire server. {@code schema} is null for the user's default search path;
     * the test suite sets it to isolate each run.
     */
    record Postgres(String host, int port, String database, String user, String password, String schema,
                    Map<String, String> params) implements DatabaseLocation {
        @Override
        public String jdbcUrl() {
            StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(port)
                    .append('/').append(database);
            char sep = '?';
            for (Map.Entry<String, String> p : params.entrySet()) {
                url.append(sep).append(p.getKey()).append('=').append(p.getValue());
                sep = '&';
            }
            if (schema != null) {
                url.append(sep).append("currentSchema=").append(schema);
            }
            return url.toString();
        }

        /** The same server and database with another schema. */
        public Postgres withSchema(String newSchema) {
            return new Postgres(host, port, database, user, password, newSchema, params);
        }

        @Override
        public String toString() {
            return "postgresql://" + (user == null ? "" : user + "@") + host + ":" + port + "/" + database
                    + (schema == null ? "" : " (schema " + schema + ")");
        }
    }

    /** The default: {@code fleet.db} inside the server's data directory. */
    static DatabaseLocation inDataDir(Path dataDir) {
        return new Sqlite(dataDir.resolve("fleet.db"));
    }

    /**
     * Parses a user-facing database URL: {@code postgresql://[user[:password]@]host[:port]/db[?schema=s&k=v]},
     * {@code postgres://...}, or {@code sqlite:PATH}. The user/password move from the URL into
     * connection properties, since the JDBC driver does not read them from the authority.
     *
     * @throws IllegalArgumentException with a one-line reason when the URL is not one of these
     */
    static DatabaseLocation parse(String url) {
        if (url.startsWith("sqlite:")) {
            String path = url.substring("sqlite:".length());
            if (path.isBlank()) {
                throw new IllegalArgumentException("sqlite: URL needs a file path, e.g. sqlite:/var/lib/klpfleet/fleet.db");
            }
            return new Sqlite(Path.of(path));
        }
        if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
            throw new IllegalArgumentException("database URL must start with postgresql:// or sqlite: (got '" + url + "')");
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed database URL: " + e.getMessage());
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("database URL has no host: " + url);
        }
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        String schema = null;
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&")) {
                if (kv.isEmpty()) {
                    continue;
                }
                String[] p = kv.split("=", 2);
                String key = decode(p[0]);
                String value = p.length > 1 ? decode(p[1]) : "";
                if (key.equals("schema") || key.equals("currentSchema")) {
                    schema = value;
                } else if (key.equals("user")) {
                    user = value;
                } else if (key.equals("password")) {
                    password = value;
                } else {
                    params.put(key, value);
                }
            }
        }
        return new Postgres(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), db, user, password, schema, params);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
