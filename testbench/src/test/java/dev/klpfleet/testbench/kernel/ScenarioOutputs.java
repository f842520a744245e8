package dev.klpfleet.testbench.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a guest scenario script left in its share directory: per step NAME.out/.err/.rc, per saved file NAME.txt. */
record ScenarioOutputs(Path dir) {
    private static final ObjectMapper JSON = new ObjectMapper();

    int rc(String step) {
        return Integer.parseInt(read(step + ".rc").strip());
    }

    JsonNode json(String step) {
        String out = read(step + ".out");
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new AssertionError(step + " did not print JSON: " + out + "\nstderr: " + read(step + ".err"), e);
        }
    }

    String out(String step) {
        return read(step + ".out");
    }

    String err(String step) {
        return read(step + ".err");
    }

    String saved(String name) {
        return read(name + ".txt");
    }

    private String read(String file) {
        try {
            return Files.readString(dir.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException("the scenario left no " + file, e);
        }
    }
}
