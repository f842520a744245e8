package dev.klpfleet.cli.fleet;

import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.server.api.FleetClient;
import java.io.IOException;
import java.net.URI;
import picocli.CommandLine.Option;

/** The {@code --server}/{@code --token} options of every command that talks to a klpfleet server. */
public final class Remote {
    @Option(names = "--server", description = "Server URL (default: $KLPFLEET_SERVER, else https://127.0.0.1:8440); plain http:// only to loopback.")
    String server;

    @Option(names = "--token", description = "Operator API token (default: $KLPFLEET_TOKEN).")
    String token;

    @picocli.CommandLine.Mixin
    dev.klpfleet.cli.TrustOptions trust;

    FleetClient client() {
        String url = server != null ? server : System.getenv().getOrDefault("KLPFLEET_SERVER", "https://127.0.0.1:8440");
        String tok = token != null ? token : System.getenv("KLPFLEET_TOKEN");
        if (tok == null || tok.isBlank()) {
            throw new CommandFailure(ExitCodes.USAGE, "no token: pass --token or set KLPFLEET_TOKEN");
        }
        URI base;
        try {
            base = URI.create(url.endsWith("/") ? url : url + "/");
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(ExitCodes.USAGE, "--server is not a URL: " + url);
        }
        return new FleetClient(dev.klpfleet.cli.TrustOptions.allowed(base), tok, trust.trust());
    }

    /**
     * Every item of a paged list: follows the server's {@code X-Next-Cursor} from page to page
     * ({@code path} may carry a query already); an unreadable page is an internal error naming {@code what}.
     */
    static <T> java.util.List<T> allPages(FleetClient client, String path, com.fasterxml.jackson.core.type.TypeReference<java.util.List<T>> type,
                                          String what) {
        java.util.List<T> all = new java.util.ArrayList<>();
        String cursor = null;
        do {
            String url = cursor == null ? path : path + (path.contains("?") ? "&" : "?") + "cursor="
                    + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8);
            FleetClient.Answer page = call(() -> client.get(url));
            try {
                all.addAll(dev.klpfleet.server.host.FleetJson.mapper().readValue(page.body(), type));
            } catch (IOException e) {
                throw new IllegalStateException("server sent an unexpected " + what + ": " + e.getMessage(), e);
            }
            cursor = page.nextCursor();
        } while (cursor != null);
        return all;
    }

    /** A call that may fail on the network. */
    interface Call {
        FleetClient.Answer run() throws IOException, InterruptedException;
    }

    /** Runs {@code call}, mapping only network failures; the caller judges the status. */
    static FleetClient.Answer callRaw(Call call) {
        try {
            return call.run();
        } catch (IOException e) {
            if (dev.klpfleet.cli.TrustOptions.untrusted(e)) {
                throw new CommandFailure(ExitCodes.UNTRUSTED, "server not trusted (TLS): " + e.getMessage()
                        + "; check --server-fingerprint / --server-ca against what `klpfleet server` printed");
            }
            throw new CommandFailure(ExitCodes.UNREACHABLE, "server unreachable: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure(ExitCodes.INTERNAL, "interrupted");
        }
    }

    /** Runs {@code call} and maps any failure to a one-line {@link CommandFailure} with its exit code. */
    static FleetClient.Answer call(Call call) {
        FleetClient.Answer a = callRaw(call);
        if (a.ok()) {
            return a;
        }
        int code = switch (a.status()) {
            case 401, 403 -> ExitCodes.DENIED;
            case 404 -> ExitCodes.NOT_FOUND;
            case 409 -> ExitCodes.CONFLICT;
            case 400, 413, 422 -> ExitCodes.BAD_INPUT;
            default -> ExitCodes.INTERNAL;
        };
        throw new CommandFailure(code, "server said " + a.status() + ": " + a.error());
    }
}
