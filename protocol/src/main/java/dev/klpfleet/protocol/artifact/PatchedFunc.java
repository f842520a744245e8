package dev.klpfleet.protocol.artifact;

import java.util.Objects;

/**
 * One {@code struct klp_func}: a function the patch replaces.
 *
 * @param name   {@code old_name}, the symbol replaced
 * @param sympos {@code old_sympos}: 0 means "the only one"; N means the Nth symbol of that name
 *               in kallsyms order within the object, counting from 1
 */
public record PatchedFunc(String name, int sympos) {
    public PatchedFunc {
        Objects.requireNonNull(name, "name");
        if (sympos < 0) {
            throw new IllegalArgumentException("sympos < 0: " + sympos);
        }
    }
}
