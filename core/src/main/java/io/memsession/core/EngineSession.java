package io.memsession.core;

import io.memsession.core.backup.BackedUpSession;
import io.memsession.core.lock.Stay;

/** A container session as an engine sees it; the Tomcat bridge's session implements it. */
public interface EngineSession extends BackedUpSession {

    /**
     * Whether the session is still valid; a session idle for longer than its maximum inactive interval expires
     * here (and its stored copy is deleted), as in the container.
     */
    boolean isValid();

    /** Non-sticky mode: the session's stay in this container, set when it is read or created. */
    Stay stay();

    /** Non-sticky mode: the stay a session created here begins with. */
    void beginStay(Stay stay);
}
