package io.memsession.serializer;

import java.io.ObjectInputStream;

/**
 * What reading one stored session may cost, in both serializers. Anyone who can write to memcached chooses the
 * bytes; without limits, a 200-byte blob whose length fields say 2 GB makes the reader allocate 2 GB, and a deeply
 * nested one overflows the request thread's stack. The limits are far above what real sessions need: a session is
 * read from one memcached item, 1 MB by default.
 *
 * <ul>
 * <li>{@link #MAX_BYTES}: a session's serialized attributes larger than this are not read.</li>
 * <li>{@link #MAX_DEPTH}: objects nested deeper than this (an object in a field of an object in ...).</li>
 * <li>{@link #MAX_REFERENCES}: objects and back references in one session (Java serialization).</li>
 * <li>{@link #MAX_LENGTH}: elements of one array, collection or map, and characters of one string. Each length is
 * also checked against what remains of the bytes, since every element takes at least one byte: a length the bytes
 * cannot hold is refused before anything is allocated for it.</li>
 * </ul>
 * A session over a limit is unreadable, like a corrupt one: its user gets a new session.
 */
public final class ReadLimits {

    public static final int MAX_BYTES = 64 * 1024 * 1024;
    public static final int MAX_DEPTH = 500;
    public static final long MAX_REFERENCES = 1_000_000;
    public static final int MAX_LENGTH = 16 * 1024 * 1024;

    private ReadLimits() {
    }

    /**
     * Puts the depth, reference and array limits on a Java deserialization stream that has read no object yet
     * ({@link WebappObjectInputStream} has them already).
     *
     * @param totalBytes the length of what the stream reads
     */
    public static void applyTo(ObjectInputStream in, long totalBytes) {
        SerialLimitsFilter.install(in, totalBytes);
    }

    /** @throws SerializationException when a session's serialized attributes exceed {@link #MAX_BYTES} */
    public static void checkSize(byte[] data) {
        if (data.length > MAX_BYTES) {
            throw new SerializationException("the stored attributes take " + data.length + " bytes, more than the "
                    + MAX_BYTES + " memsession reads");
        }
    }

    /**
     * Checks a length read from stored bytes before anything is allocated for it.
     *
     * @param remaining the bytes left to read, each element (or character) taking at least one
     * @throws SerializationException for a negative length, one over {@link #MAX_LENGTH}, or one the remaining
     *         bytes cannot hold
     */
    public static void checkLength(long length, long remaining, String what) {
        if (length < 0 || length > MAX_LENGTH || length > remaining) {
            throw new SerializationException(what + " of length " + length + " refused: "
                    + (length < 0 ? "negative" : length > MAX_LENGTH ? "over the limit of " + MAX_LENGTH
                    : "only " + remaining + " bytes remain"));
        }
    }
}
