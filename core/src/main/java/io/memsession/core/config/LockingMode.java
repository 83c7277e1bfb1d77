package io.memsession.core.config;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Attribute {@code lockingMode}: which requests of a non-sticky session lock it while they run.
 *
 * <ul>
 * <li>{@code none}: no request locks; parallel requests on different Tomcats may overwrite each other's changes
 *     (the last writer wins);</li>
 * <li>{@code all}: every request that uses the session locks it;</li>
 * <li>{@code auto}: every request locks, except those of a kind (method and URI) seen not to change sessions;</li>
 * <li>{@code uriPattern:<regex>}: requests whose {@code METHOD URI[?query]} matches the expression lock.</li>
 * </ul>
 */
public final class LockingMode {

    public enum Kind { NONE, ALL, AUTO, URI_PATTERN }

    private final Kind kind;
    private final Pattern uriPattern;

    private LockingMode(Kind kind, Pattern uriPattern) {
        this.kind = kind;
        this.uriPattern = uriPattern;
    }

    /**
     * The words in any case, as memcached-session-manager read them ({@code lockingMode="ALL"} worked there);
     * {@code uriPattern:} as written, as there.
     *
     * @throws IllegalArgumentException naming what is expected
     */
    static LockingMode parse(String value) {
        switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "none":
                return new LockingMode(Kind.NONE, null);
            case "all":
                return new LockingMode(Kind.ALL, null);
            case "auto":
                return new LockingMode(Kind.AUTO, null);
            default:
                if (value.startsWith("uriPattern:")) {
                    try {
                        return new LockingMode(Kind.URI_PATTERN, Pattern.compile(value.substring(11)));
                    } catch (PatternSyntaxException e) {
                        throw new IllegalArgumentException("not a valid regular expression after uriPattern: "
                                + e.getDescription());
                    }
                }
                throw new IllegalArgumentException("expected none, all, auto or uriPattern:<regular expression>");
        }
    }

    public Kind kind() {
        return kind;
    }

    /** Whether the request {@code METHOD URI[?query]} matches the {@code uriPattern:} expression. */
    public boolean matchesPattern(String method, String uri, String query) {
        String request = method + " " + uri + (query == null ? "" : "?" + query);
        return uriPattern != null && uriPattern.matcher(request).matches();
    }

    @Override
    public String toString() {
        return kind == Kind.URI_PATTERN ? "uriPattern:" + uriPattern.pattern() : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
