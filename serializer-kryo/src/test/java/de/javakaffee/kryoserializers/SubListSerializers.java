package de.javakaffee.kryoserializers;

import com.esotericsoftware.kryo.Kryo;

/**
 * A stand-in for kryo-serializers 0.41's class of the same name, for the JVM in which the tests run msm's Kryo
 * serializer ({@code MsmKryoWriter}), where it comes before kryo-serializers' jar. The real one reads fields that
 * {@code ArrayList$SubList} lost in Java 9, so msm cannot create a Kryo instance on Java 9 and later; this one adds
 * no sub-list serializer. Compiled against Kryo 5's {@code Kryo}, it links against Kryo 4's by the same name.
 */
public final class SubListSerializers {

    private SubListSerializers() {
    }

    public static Kryo addDefaultSerializers(Kryo kryo) {
        return kryo;
    }
}
