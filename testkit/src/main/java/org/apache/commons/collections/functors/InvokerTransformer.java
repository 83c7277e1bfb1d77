package org.apache.commons.collections.functors;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the commons-collections class that public gadget chains call methods through: the same name, and
 * a {@code readObject} that does what a gadget does, run code while it is read (here: count). A test plants it in
 * memcached and asserts that {@link #READS} stays 0.
 */
public class InvokerTransformer implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How often an instance was read back: each is code an attacker ran. */
    public static final AtomicInteger READS = new AtomicInteger();

    public final String command;

    public InvokerTransformer(String command) {
        this.command = command;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        READS.incrementAndGet();
    }
}
