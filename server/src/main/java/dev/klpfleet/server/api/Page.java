package dev.klpfleet.server.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One page of a list: at most {@code limit} items after the item named by an opaque cursor. The
 * page is the JSON array; the cursor of the next page travels in the {@link #NEXT_CURSOR} header,
 * absent on the last page.
 */
final class Page {
    static final String NEXT_CURSOR = "X-Next-Cursor";
    /** Most items one page holds, and the page size when {@code limit} is not given. */
    static final int MAX_LIMIT = 500;

    private Page() {}

    /**
     * The page of {@code all} (in its order) the call's {@code limit} and {@code cursor} ask for;
     * {@code id} names an item uniquely and for good (ids are never reused).
     */
    static <T> Reply of(Call c, List<T> all, Function<T, String> id) {
        int limit = limit(c.query().get("limit"));
        int from = 0;
        String cursor = c.query().get("cursor");
        if (cursor != null) {
            String after = decode(cursor);
            from = -1;
            for (int i = 0; i < all.size(); i++) {
                if (id.apply(all.get(i)).equals(after)) {
                    from = i + 1;
                    break;
                }
            }
            if (from < 0) {
                throw new Call.BadRequest("cursor does not name an item of this list; start again without it");
            }
        }
        int to = Math.min(all.size(), from + limit);
        List<T> page = all.subList(from, to);
        Map<String, String> headers = to < all.size() && !page.isEmpty() ? Map.of(NEXT_CURSOR, encode(id.apply(page.get(page.size() - 1)))) : Map.of();
        return new Reply.Json(200, page, headers);
    }

    /**
     * A page read straight from storage: {@code fetch} gets the key after which to start (null for
     * the first page) and how many items to read (one more than the page, to know whether another
     * follows), so no request reads the whole list.
     */
    static <T> Reply keyset(Call c, java.util.function.BiFunction<String, Integer, List<T>> fetch, Function<T, String> key) {
        int limit = limit(c.query().get("limit"));
        String cursor = c.query().get("cursor");
        List<T> read = fetch.apply(cursor == null ? null : decode(cursor), limit + 1);
        List<T> page = read.subList(0, Math.min(limit, read.size()));
        Map<String, String> headers = read.size() > limit ? Map.of(NEXT_CURSOR, encode(key.apply(page.get(page.size() - 1)))) : Map.of();
        return new Reply.Json(200, page, headers);
    }

    private static int limit(String v) {
        if (v == null) {
            return MAX_LIMIT;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below says what is wanted
        }
        throw new Call.BadRequest("limit must be a whole number within 1.." + MAX_LIMIT);
    }

    private static String encode(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Call.BadRequest("cursor is not one this server gave out");
        }
    }
}
