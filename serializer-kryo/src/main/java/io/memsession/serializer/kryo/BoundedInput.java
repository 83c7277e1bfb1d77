package io.memsession.serializer.kryo;

import com.esotericsoftware.kryo.io.Input;

import io.memsession.serializer.ReadLimits;

/**
 * Kryo's input over a stored session, refusing any string, array, collection or map length the remaining bytes
 * cannot hold (or over {@link ReadLimits#MAX_LENGTH}) before Kryo allocates for it. Kryo itself trusts the length
 * it reads and allocates first: {@code new char[2_000_000_000]} for a string whose length field says so.
 *
 * <p>Strings and primitive arrays are checked here, where Kryo reads them. Object arrays, collections and maps are
 * read by serializers that allocate for the length they read first: {@link SessionKryo} announces that length
 * ({@link #lengthFollows}) before such a serializer reads.
 */
final class BoundedInput extends Input {

    /** What the next length read belongs to; null when the next int read is not a length. */
    private String lengthOf;

    BoundedInput() {
    }

    BoundedInput(byte[] data) {
        super(data);
    }

    /** The bytes not read yet. */
    int remaining() {
        return limit - position;
    }

    /**
     * The next variable-length int read is the element count (plus one, for Kryo's null marker) of a {@code what}:
     * it is checked when read.
     */
    void lengthFollows(String what) {
        lengthOf = what;
    }

    /** The announced length was not read (the serializer failed before): the next int is no length. */
    void noLengthFollows() {
        lengthOf = null;
    }

    @Override
    public int readVarInt(boolean optimizePositive) {
        int value = super.readVarInt(optimizePositive);
        checkAnnounced(value);
        return value;
    }

    @Override
    public int readVarIntFlag(boolean optimizePositive) {
        int value = super.readVarIntFlag(optimizePositive);
        checkAnnounced(value);
        return value;
    }

    private void checkAnnounced(int value) {
        if (lengthOf != null) {
            String what = lengthOf;
            lengthOf = null;
            ReadLimits.checkLength(Math.max(0L, value - 1L), remaining(), what);
        }
    }

    /** Refuses the length in the next bytes, read as a variable-length int, without consuming it. */
    void checkNextLength(boolean flagged, int sentinels, String what) {
        if (remaining() == 0) {
            return; // Kryo reports the underflow itself
        }
        int start = position;
        int length = flagged ? readVarIntFlag(true) : readVarInt(true);
        int afterLength = remaining();
        position = start;
        ReadLimits.checkLength(Math.max(0L, (long) length - sentinels), afterLength, what);
    }

    @Override
    public String readString() {
        // Kryo's flag bit: set for a length-prefixed (UTF-8) string; clear for ASCII, read up to its last byte
        if (remaining() > 0 && (buffer[position] & 0x80) != 0) {
            checkNextLength(true, 2, "string"); // lengths 0 and 1 stand for null and ""
        }
        return super.readString();
    }

    @Override
    public StringBuilder readStringBuilder() {
        if (remaining() > 0 && (buffer[position] & 0x80) != 0) {
            checkNextLength(true, 2, "string");
        }
        return super.readStringBuilder();
    }

    @Override
    public byte[] readBytes(int length) {
        ReadLimits.checkLength(length, remaining(), "byte array");
        return super.readBytes(length);
    }

    @Override
    public int[] readInts(int length, boolean optimizePositive) {
        ReadLimits.checkLength(length, remaining(), "int array");
        return super.readInts(length, optimizePositive);
    }

    @Override
    public int[] readInts(int length) {
        ReadLimits.checkLength(length, remaining(), "int array");
        return super.readInts(length);
    }

    @Override
    public long[] readLongs(int length, boolean optimizePositive) {
        ReadLimits.checkLength(length, remaining(), "long array");
        return super.readLongs(length, optimizePositive);
    }

    @Override
    public long[] readLongs(int length) {
        ReadLimits.checkLength(length, remaining(), "long array");
        return super.readLongs(length);
    }

    @Override
    public float[] readFloats(int length) {
        ReadLimits.checkLength(length, remaining(), "float array");
        return super.readFloats(length);
    }

    @Override
    public double[] readDoubles(int length) {
        ReadLimits.checkLength(length, remaining(), "double array");
        return super.readDoubles(length);
    }

    @Override
    public short[] readShorts(int length) {
        ReadLimits.checkLength(length, remaining(), "short array");
        return super.readShorts(length);
    }

    @Override
    public char[] readChars(int length) {
        ReadLimits.checkLength(length, remaining(), "char array");
        return super.readChars(length);
    }

    @Override
    public boolean[] readBooleans(int length) {
        ReadLimits.checkLength(length, remaining(), "boolean array");
        return super.readBooleans(length);
    }
}
