package io.memsession.core;

import io.memsession.core.id.SessionId;

/** What a request's session id asks for when it arrives in sticky mode (see {@link StickyEngine#inspect}). */
final class ArrivingSessionId {

    /** What to do with the id. */
    enum Action {
        /** Use the id as it is. */
        KEEP,
        /** Not an id memsession could have generated: never looked up in memcached. */
        MALFORMED,
        /** The session lived on another Tomcat: load it from memcached and rename it to this Tomcat's route. */
        TAKE_OVER,
        /** The session's memcached node is down (or it has none): move it to {@link #target()}, if it is here. */
        RELOCATE
    }

    private final Action action;
    private final SessionId target;

    ArrivingSessionId(Action action, SessionId target) {
        this.action = action;
        this.target = target;
    }

    Action action() {
        return action;
    }

    /** The id the session gets, for {@link Action#TAKE_OVER} and {@link Action#RELOCATE}. */
    String target() {
        return target.toString();
    }
}
