package dev.klpfleet.kernel.preflight;

/**
 * One preflight check's result.
 *
 * @param name    stable identifier, e.g. {@code vermagic}; docs/CLI.md lists them all
 * @param verdict pass, warn or fail
 * @param reason  one line an operator can act on, with the evidence (the values compared)
 */
public record Check(String name, Verdict verdict, String reason) {
    static Check pass(String name, String reason) {
        return new Check(name, Verdict.PASS, reason);
    }

    static Check warn(String name, String reason) {
        return new Check(name, Verdict.WARN, reason);
    }

    static Check fail(String name, String reason) {
        return new Check(name, Verdict.FAIL, reason);
    }
}
