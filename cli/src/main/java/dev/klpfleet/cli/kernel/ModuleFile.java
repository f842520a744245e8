package dev.klpfleet.cli.kernel;

import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.kernel.module.ModuleFormatException;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.module.ModuleInspector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a {@code .ko} argument, turning every way it can be unusable into one line and {@link ExitCodes#BAD_INPUT}. */
final class ModuleFile {
    private ModuleFile() {}

    static ModuleInspection inspect(Path ko) {
        if (Files.isDirectory(ko)) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, ko + ": is a directory, not a .ko file");
        }
        try {
            return ModuleInspector.inspect(ko);
        } catch (NoSuchFileException e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, ko + ": no such file");
        } catch (IOException e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, ko + ": cannot read: " + e.getMessage());
        } catch (ModuleFormatException e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, ko + ": " + e.getMessage());
        }
    }
}
