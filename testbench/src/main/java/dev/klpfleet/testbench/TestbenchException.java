package dev.klpfleet.testbench;

/**
 * The test bench itself failed: a script is missing, a module did not compile, a kernel is not
 * installed. Distinct from a failing guest command, which {@link VmRun} reports as an exit code.
 */
public final class TestbenchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TestbenchException(String message) {
        super(message);
    }

    public TestbenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
