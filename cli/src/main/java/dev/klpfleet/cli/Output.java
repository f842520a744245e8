package dev.klpfleet.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * The {@code --json} switch every command mixes in. JSON goes to stdout as one document;
 * the human form is whatever the command prints for a person.
 */
public final class Output {

    @Option(names = "--json", description = "Print one stable JSON document instead of the human form (docs/CLI.md).")
    boolean json;

    public boolean json() {
        return json;
    }

    /** Prints {@code value} as JSON when --json was given, else runs {@code human}. */
    public <T> void emit(PrintWriter out, T value, Consumer<T> human) {
        if (json) {
            try {
                out.println(Pretty.JSON.writeValueAsString(value));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot render JSON: " + e.getMessage(), e);
            }
        } else {
            human.accept(value);
        }
        out.flush();
    }

    /** Built on first use: the human form never pays for Jackson's start-up. */
    private static final class Pretty {
        static final ObjectMapper JSON = Json.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT);
    }
}
