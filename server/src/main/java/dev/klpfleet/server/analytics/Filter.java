package dev.klpfleet.server.analytics;

/** Which events a report covers: one patch, one kernel release, both, or (null) all. */
public record Filter(String patch, String kernelRelease) {
    public static final Filter ALL = new Filter(null, null);

    /** The SQL condition on a table with {@code patch_name} and {@code kernel_release} columns, starting with AND. */
    String sql() {
        return (patch == null ? "" : " AND patch_name = :patch") + (kernelRelease == null ? "" : " AND kernel_release = :kernel");
    }

    <T extends org.jdbi.v3.core.statement.SqlStatement<T>> T bind(T statement) {
        if (patch != null) {
            statement.bind("patch", patch);
        }
        if (kernelRelease != null) {
            statement.bind("kernel", kernelRelease);
        }
        return statement;
    }
}
