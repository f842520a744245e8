package dev.klpfleet.cli.fleet;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Output;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.patch.ArtifactUpload;
import dev.klpfleet.server.patch.PatchView;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "patch", mixinStandardHelpOptions = true, description = "The signed patch catalog.",
        subcommands = {PatchCommand.Upload.class, PatchCommand.ListPatches.class})
public final class PatchCommand {

    /** One uploaded release directory's result. */
    public record Uploaded(String kernelRelease, int status, String outcome) {}

    @Command(name = "upload", mixinStandardHelpOptions = true,
            description = "Upload a `klpfleet build` output: DIR is the build's OUT directory (one subdirectory per kernel release) or one release directory.")
    static final class Upload implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Option(names = "--description", description = "Patch description for the catalog (used when the patch is new).")
        String description;

        @Override
        public void run() {
            List<Path> releases = releaseDirs(dir);
            var client = remote.client();
            List<Uploaded> results = new ArrayList<>();
            for (Path rel : releases) {
                ArtifactUpload up = read(rel);
                var a = Remote.callRaw(() -> client.post("api/v1/artifacts", up));
                results.add(new Uploaded(rel.getFileName().toString(), a.status(), a.ok() ? "stored sha256:" + a.json().path("sha256").asText() : a.error()));
            }
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, results, rs -> rs.forEach(r -> out.printf("%-30s %s%n", r.kernelRelease(), r.status() / 100 == 2 ? "OK   " + r.outcome()
                    : "FAIL " + r.outcome())));
            Uploaded firstBad = results.stream().filter(r -> r.status() / 100 != 2).findFirst().orElse(null);
            if (firstBad != null) {
                int code = firstBad.status() == 409 ? ExitCodes.CONFLICT : firstBad.status() == 401 || firstBad.status() == 403 ? ExitCodes.DENIED
                        : ExitCodes.BAD_INPUT;
                throw new CommandFailure(code, (results.stream().filter(r -> r.status() / 100 != 2).count()) + " of " + results.size()
                        + " artifacts not uploaded; first: " + firstBad.kernelRelease() + ": " + firstBad.outcome());
            }
        }

        private ArtifactUpload read(Path rel) {
            try {
                byte[] manifest = Files.readAllBytes(rel.resolve("manifest.json"));
                Path sig = rel.resolve("manifest.sig");
                if (!Files.exists(sig)) {
                    throw new CommandFailure(ExitCodes.BAD_INPUT, rel + " has no manifest.sig: unsigned builds (no --key, or a failed lint) cannot be uploaded");
                }
                String moduleFile = FleetJson.mapper().readTree(manifest).path("moduleFile").asText();
                if (moduleFile.isEmpty() || moduleFile.contains("/")) {
                    throw new CommandFailure(ExitCodes.BAD_INPUT, rel.resolve("manifest.json") + " names no usable moduleFile");
                }
                Base64.Encoder b = Base64.getEncoder();
                return new ArtifactUpload(b.encodeToString(manifest), b.encodeToString(Files.readAllBytes(sig)),
                        b.encodeToString(Files.readAllBytes(rel.resolve(moduleFile))), description, null);
            } catch (IOException e) {
                throw new CommandFailure(ExitCodes.BAD_INPUT, "cannot read artifact in " + rel + ": " + e.getMessage());
            }
        }
    }

    /** The release directories under {@code dir}: itself if it holds a manifest, else each child that does. */
    static List<Path> releaseDirs(Path dir) {
        if (Files.isRegularFile(dir.resolve("manifest.json"))) {
            return List.of(dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, dir + " is not a directory");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> out = s.filter(p -> Files.isRegularFile(p.resolve("manifest.json"))).sorted().toList();
            if (out.isEmpty()) {
                throw new CommandFailure(ExitCodes.BAD_INPUT, dir + " holds no RELEASE/manifest.json: is it a `klpfleet build` output?");
            }
            return out;
        } catch (IOException e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, "cannot list " + dir + ": " + e.getMessage());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List patches, versions and the kernel releases each is built for.")
    static final class ListPatches implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            var client = remote.client();
            List<PatchView> patches = Remote.allPages(client, "api/v1/patches", new TypeReference<List<PatchView>>() {}, "patch list");
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, patches, ps -> {
                for (PatchView p : ps) {
                    out.println(p.name() + (p.cves().isEmpty() ? "" : " " + p.cves()) + (p.description().isEmpty() ? "" : " - " + p.description()));
                    for (PatchView.Version v : p.versions()) {
                        out.println("  " + v.version() + ": " + v.artifacts().size() + " kernel releases");
                        v.artifacts().forEach(a -> out.printf("    %-30s sha256:%s  key %s%n", a.kernelRelease(), a.sha256(), a.keyId()));
                    }
                }
                if (ps.isEmpty()) {
                    out.println("no patches uploaded yet");
                }
            });
        }
    }

}
