package io.memsession.core;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.memsession.core.format.StoredSession;

/**
 * What memsession remembers about one session's stored copy, kept by the session itself. Request threads raise the
 * change flags. Writes, refreshes and deletes of the session first take its write permission
 * ({@link #acquireWrite()}), held until memcached answered, so at most one store operation for a session is under
 * way at any time; the fields below are touched only by the permission's holder.
 */
public final class BackupState {

    private volatile boolean attributesAccessed;
    private volatile boolean mustWrite;
    /** Sticky mode: a write failed because the session's node is down; the session moves to another node. */
    private final AtomicBoolean relocationDue = new AtomicBoolean();
    /** Counts the changes (possible ones included); a request remembers the number of its last change. */
    private final AtomicLong changes = new AtomicLong();
    /** The number of the last change memcached has: every change up to it was in a write that succeeded. */
    private volatile long storedChanges;
    final AtomicBoolean queued = new AtomicBoolean();
    volatile long queuedSinceNanos;

    // guarded by this
    private boolean writing;
    private boolean writeAgain;

    // touched only while holding the write permission
    byte[] storedDigest;
    /**
     * Non-sticky: the stored attributes themselves, compared byte for byte instead of by digest: the session is
     * read on every request, and hashing it twice per request would cost more than keeping it.
     */
    byte[] storedAttributes;
    long storedExpiresAtMillis;
    /** The write number of the stored form read or last written; the next write's is one more. */
    long storedWriteNumber;
    boolean removed;
    Object encodedPrincipalSource;
    byte[] encodedPrincipal;
    /** Non-sticky: memcached's version of the stored session as read, for a compare-and-set write; 0 for none. */
    long loadedCas;
    /** Non-sticky: the stored session as last read or written, to restore a lost backup copy. */
    byte[] storedBlob;
    /** Non-sticky, without the lock: every write is compare-and-set, against a version read again if need be. */
    boolean versionsEveryWrite;
    /** Non-sticky: the next write creates the session's key, with {@code add} (see {@link #movesToNewKey}). */
    boolean createsKey;
    /** Non-sticky: the session may not be written any more in this stay (see {@link #refuseWrites()}). */
    volatile boolean writesRefused;
    /** Non-sticky: writes are refused because the session grew larger than {@code maxSessionSize}. */
    volatile boolean oversized;
    /**
     * Non-sticky: the session has a backup copy, or had one when it was read. A session that never held anything
     * gets none; once it has one, every write goes to the copy too, so the copy is never behind.
     */
    boolean copied;
    /** Whether a write of the session was ever sent from this Tomcat. */
    boolean sent;

    private BackupState(boolean mustWrite) {
        this.mustWrite = mustWrite;
    }

    /** For a session created here: it is written after its first request whatever it holds. */
    public static BackupState forNewSession() {
        return new BackupState(true);
    }

    /** For a session read from memcached: written again only when its attributes change. */
    static BackupState forLoadedSession(StoredSession stored, long storedExpiresAtMillis) {
        BackupState state = new BackupState(false);
        state.storedDigest = Digests.sha256(stored.attributes());
        state.storedExpiresAtMillis = storedExpiresAtMillis;
        state.storedWriteNumber = stored.writeNumber();
        return state;
    }

    /**
     * For a non-sticky session read from memcached.
     *
     * @param cas memcached's version of what was read, for a compare-and-set write; 0 for a plain write
     * @param locked whether the reading request holds the session's lock: if not, a later write of the stay, once
     *        the version is unknown (memcached's text protocol does not tell a write's new version), reads it again
     * @param holdsNothing whether the session read has no attribute and no login (so perhaps no backup copy)
     */
    static BackupState forStayingSession(StoredSession stored, byte[] blob, long cas, boolean locked,
                                         boolean holdsNothing) {
        BackupState state = new BackupState(false);
        state.storedAttributes = stored.attributes();
        state.storedWriteNumber = stored.writeNumber();
        state.storedExpiresAtMillis = Long.MAX_VALUE;
        state.storedBlob = blob;
        state.loadedCas = cas;
        state.versionsEveryWrite = cas != 0 && !locked;
        state.copied = !holdsNothing;
        return state;
    }

    /**
     * Non-sticky: the session moves to a new key (it was restored from its backup copy), which another Tomcat may be
     * writing at the same moment for the same session. So it is written after this request whatever it holds, first
     * with {@code add}, refused if the other came first; without the lock, later writes of the stay are
     * compare-and-set against the version it wrote.
     *
     * @param locked whether the restoring request holds the lock of the new key
     */
    void movesToNewKey(boolean locked) {
        createsKey = true;
        versionsEveryWrite = !locked;
        mustWrite();
    }

    /**
     * Non-sticky: nothing of this session may be written in this stay: it was read without the lock it needed, or a
     * write was refused because another came first. What it holds may be older than what memcached has.
     */
    void refuseWrites() {
        writesRefused = true;
    }

    /**
     * An attribute that is stored was read, set or removed: the session may have changed.
     *
     * @return the number of this change
     */
    public long attributesAccessed() {
        attributesAccessed = true;
        return changes.incrementAndGet();
    }

    /**
     * The session must be written after this request even if its attributes look unchanged: its id or its
     * authentication changed, or its last write failed.
     *
     * @return the number of this change
     */
    public long mustWrite() {
        mustWrite = true;
        return changes.incrementAndGet();
    }

    /** Whether {@code attributes}, serialized, are what memcached has. */
    boolean isStored(byte[] attributes, byte[] digest) {
        return storedAttributes != null ? Arrays.equals(attributes, storedAttributes)
                : Arrays.equals(digest, storedDigest);
    }

    /** The digest {@link #isStored} needs; none when the stored attributes themselves are kept. */
    byte[] digestFor(byte[] attributes) {
        return storedAttributes != null ? null : Digests.sha256(attributes);
    }

    /** memcached has these attributes now. */
    void attributesStored(byte[] attributes, byte[] digest) {
        if (storedAttributes != null) {
            storedAttributes = attributes;
        } else {
            storedDigest = digest;
        }
    }

    /**
     * Whether memcached may hold the session: it was read from there, or a write of it was sent. A session created
     * here that never held anything was never sent (sticky mode), and its removal costs no memcached command.
     */
    boolean mayBeStored() {
        return sent || storedDigest != null || storedAttributes != null;
    }

    /** Whether the id or the authentication changed, or the last write failed. */
    boolean hasForcedWrite() {
        return mustWrite;
    }

    boolean needsWriteCheck() {
        return attributesAccessed || mustWrite;
    }

    /** The number of the newest change so far. */
    long changesSoFar() {
        return changes.get();
    }

    /** Every change up to {@code change} is in memcached now. */
    void stored(long change) {
        if (change > storedChanges) {
            storedChanges = change;
        }
    }

    /**
     * Non-sticky: whether memcached has every change up to the given one; a request whose last change is stored
     * gets its answer even if the stay may write no more.
     */
    boolean hasStored(long change) {
        return change <= storedChanges;
    }

    void relocationDue() {
        relocationDue.set(true);
    }

    /** Whether a relocation is due, which the caller now makes. */
    boolean takeRelocationDue() {
        return relocationDue.getAndSet(false);
    }

    /** Takes the flags for a write about to start; accesses from now on count for the next write. */
    boolean takeForce() {
        boolean force = mustWrite;
        mustWrite = false;
        attributesAccessed = false;
        return force;
    }

    /** Waits until no other store operation for this session is under way, and takes the permission. */
    synchronized void acquireWrite() {
        boolean interrupted = false;
        while (writing) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        writing = true;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Takes the permission if it is free. Otherwise remembers that the session is to be written again once the
     * operation under way is done: its newest state may not be in that write.
     */
    synchronized boolean tryAcquireWrite(boolean thenWriteAgain) {
        if (writing) {
            writeAgain |= thenWriteAgain;
            return false;
        }
        writing = true;
        return true;
    }

    /** @return whether the session must be queued again for a write */
    synchronized boolean releaseWrite() {
        writing = false;
        notifyAll();
        boolean again = writeAgain;
        writeAgain = false;
        return again;
    }

}
