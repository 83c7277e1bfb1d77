package io.memsession.core;

import java.util.Map;

import io.memsession.core.config.LockingMode;

/**
 * Decides which requests lock their session ({@code lockingMode}) and, in {@code auto} mode, learns which kinds of
 * request (method and URI, without the query string) leave sessions unchanged.
 *
 * <p>{@code auto} locks a kind of request until one of its requests ran locked and changed nothing; from then on its
 * requests run without the lock. When such a request does change the session after all, its write is refused if
 * another one came first (compare-and-set, never a silent overwrite), and the kind is locked again for good.
 */
final class LockPolicy {

    private static final int MAX_REMEMBERED = 1000;

    private final LockingMode mode;
    private final Map<String, Boolean> readOnlyKinds = BoundedMaps.leastRecentlyUsed(MAX_REMEMBERED);
    private final Map<String, Boolean> modifyingKinds = BoundedMaps.leastRecentlyUsed(MAX_REMEMBERED);

    public LockPolicy(LockingMode mode) {
        this.mode = mode;
    }

    public boolean locksAtAll() {
        return mode.kind() != LockingMode.Kind.NONE;
    }

    /** Whether a request of this method, URI and query string locks the session it uses. */
    public boolean locks(String method, String uri, String query) {
        switch (mode.kind()) {
            case NONE:
                return false;
            case ALL:
                return true;
            case URI_PATTERN:
                return mode.matchesPattern(method, uri, query);
            default:
                return !readOnlyKinds.containsKey(kind(method, uri));
        }
    }

    /** In {@code auto} mode: remembers whether a request that used a session changed it. */
    public void requestEnded(String method, String uri, boolean locked, boolean changedSession) {
        if (mode.kind() != LockingMode.Kind.AUTO) {
            return;
        }
        String kind = kind(method, uri);
        if (changedSession) {
            readOnlyKinds.remove(kind);
            modifyingKinds.put(kind, Boolean.TRUE);
        } else if (locked && !modifyingKinds.containsKey(kind)) {
            readOnlyKinds.put(kind, Boolean.TRUE);
        }
    }

    private static String kind(String method, String uri) {
        return method + " " + uri;
    }
}
