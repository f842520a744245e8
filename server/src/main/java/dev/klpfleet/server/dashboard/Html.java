package dev.klpfleet.server.dashboard;

/** Builds HTML text; every value from data goes through {@link #esc}. */
final class Html {
    private final StringBuilder b = new StringBuilder(4096);

    /** {@code s} safe in element text and in double-quoted attribute values. */
    static String esc(Object o) {
        if (o == null) {
            return "";
        }
        String s = o.toString();
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Trusted markup written by this package (never data). */
    Html raw(String markup) {
        b.append(markup);
        return this;
    }

    /** Data, escaped. */
    Html text(Object o) {
        b.append(esc(o));
        return this;
    }

    /** {@code <tag>escaped</tag>}. */
    Html el(String tag, Object text) {
        return raw("<" + tag + ">").text(text).raw("</" + tag.split(" ")[0] + ">");
    }

    /** A table cell holding a figure the browser tests read: {@code data-figure="name"}. */
    Html figure(String name, Object value) {
        return raw("<td data-figure=\"").text(name).raw("\">").text(value).raw("</td>");
    }

    Html row(Object... cells) {
        raw("<tr>");
        for (Object c : cells) {
            el("td", c);
        }
        return raw("</tr>");
    }

    Html head(String... cells) {
        raw("<tr>");
        for (String c : cells) {
            el("th", c);
        }
        return raw("</tr>");
    }

    @Override
    public String toString() {
        return b.toString();
    }
}
