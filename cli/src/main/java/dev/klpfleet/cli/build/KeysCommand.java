package dev.klpfleet.cli.build;

import dev.klpfleet.patchbuild.signing.KeyFiles;
import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Output;
import dev.klpfleet.protocol.artifact.SigningKey;
import dev.klpfleet.protocol.artifact.SigningKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage artifact signing keys.",
        subcommands = KeysCommand.Generate.class)
public final class KeysCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command; see 'klpfleet keys --help'");
    }

    /** The JSON of {@code klpfleet keys generate --json}. */
    public record Generated(String keyId, String privateKey, String publicKey) {}

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Generate an Ed25519 signing key: PREFIX.key (mode 0600) and PREFIX.pub.",
                    "Give PREFIX.key to 'klpfleet build --key', PREFIX.pub to 'klpfleet verify --public-key' and the server."})
    public static final class Generate implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Output output;

        @Option(names = "--out", required = true, paramLabel = "PREFIX", description = "Path prefix of the two files, e.g. keys/release.")
        Path prefix;

        @Override
        public Integer call() throws IOException {
            Path parent = prefix.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new CommandFailure(ExitCodes.BAD_INPUT, "directory " + parent + " does not exist");
            }
            SigningKey key = SigningKeys.generate();
            try {
                KeyFiles.write(key, prefix);
            } catch (FileAlreadyExistsException e) {
                throw new CommandFailure(ExitCodes.BAD_INPUT, e.getFile() + " already exists; not overwriting a key");
            }
            PrintWriter out = spec.commandLine().getOut();
            Generated g = new Generated(key.keyId(), KeyFiles.privateFile(prefix).toString(), KeyFiles.publicFile(prefix).toString());
            output.emit(out, g, v -> {
                out.println("key " + v.keyId() + " (Ed25519)");
                out.println("  private: " + v.privateKey() + "  (mode 0600: keep it on the build host)");
                out.println("  public:  " + v.publicKey() + "  (give it to verifiers and the server)");
            });
            return ExitCodes.OK;
        }
    }
}
