package dev.klpfleet.cli.build;

import dev.klpfleet.patchbuild.signing.KeyFiles;
import dev.klpfleet.patchbuild.signing.OutputVerifier;
import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Output;
import dev.klpfleet.protocol.artifact.MalformedArtifactException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check a 'klpfleet build' output (or one release directory of it) against a trusted public key.",
                "Exit 0 when every release verifies; 32 when any is tampered, unsigned or signed by another key."})
public final class VerifyCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Output output;

    @Parameters(index = "0", paramLabel = "DIR", description = "The build's --out directory, or one OUT/RELEASE directory.")
    Path dir;

    @Option(names = "--public-key", required = true, paramLabel = "FILE", description = "The trusted key (PREFIX.pub from 'klpfleet keys generate').")
    Path publicKey;

    /** The JSON of {@code klpfleet verify --json}. */
    public record Report(boolean verified, List<OutputVerifier.Checked> releases) {}

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, dir + " is not a directory");
        }
        PublicKey key;
        try {
            key = KeyFiles.readPublic(publicKey);
        } catch (IOException | MalformedArtifactException e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, "--public-key " + publicKey + ": " + e.getMessage());
        }
        List<OutputVerifier.Checked> checked = OutputVerifier.verify(key, dir);
        if (checked.isEmpty()) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, dir + " holds no build output (no RELEASE/manifest.json)");
        }
        Report report = new Report(checked.stream().allMatch(OutputVerifier.Checked::verified), checked);
        PrintWriter out = spec.commandLine().getOut();
        output.emit(out, report, r -> {
            for (OutputVerifier.Checked c : r.releases()) {
                out.printf("%s %s: %s: %s%n", c.verified() ? "ok     " : "REFUSED", c.directory(), c.verdict(), c.detail());
            }
            out.println(r.verified() ? "all artifacts verified" : "REFUSED: do not deploy these artifacts");
        });
        return report.verified() ? ExitCodes.OK : ExitCodes.VERIFY_REFUSED;
    }
}
