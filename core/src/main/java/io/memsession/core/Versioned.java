package io.memsession.core;

/** A stored value with memcached's version of it (its CAS unique), for a write that must not overwrite another. */
final class Versioned {

    private final byte[] value;
    private final long cas;

    public Versioned(byte[] value, long cas) {
        this.value = value;
        this.cas = cas;
    }

    public byte[] value() {
        return value;
    }

    public long cas() {
        return cas;
    }
}
