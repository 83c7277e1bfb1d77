package io.memsession.core;

/**
 * What only the container can do with its sessions, for an engine that decides when: the bridge implements it over
 * its session manager. None of these reads or writes memcached.
 *
 * @param <S> the container's session
 */
public interface SessionContainer<S extends EngineSession> {

    /** The container's session under this id, or null. */
    S find(String id);

    /** A container session filled from the one read from memcached, without telling listeners; not added yet. */
    S restore(LoadedSession loaded);

    /** Puts the session into the container, where requests find it. */
    void add(S session);

    /** Tells the session's listeners it arrived in this JVM. */
    void activate(S session);

    /** Gives the session a new id; the stored copy moves with it (the session tells the engine). */
    void rename(S session, String newId);

    /** Tells the session's listeners it leaves this JVM. */
    void passivate(S session);

    /** Takes the session out of the container; what memcached holds is left as it is. */
    void remove(S session);
}
