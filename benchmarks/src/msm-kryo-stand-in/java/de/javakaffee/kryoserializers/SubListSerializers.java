package de.javakaffee.kryoserializers;

import com.esotericsoftware.kryo.Kryo;

/**
 * For the peer msm-sticky-async-kryo: a stand-in for kryo-serializers 0.41's class of the same name, ahead of that
 * jar on the class path of msm's Tomcat. The real one reads a field that {@code ArrayList$SubList} lost in Java 9,
 * so msm 2.3.2 cannot create a Kryo instance on Java 9 and later (every session write fails); this one registers
 * no sub-list serializer, which the benchmark's sessions (an Integer and a String) do not need. Compiled against
 * Kryo 5's {@code Kryo}, it links against Kryo 4's by the same name.
 */
public final class SubListSerializers {

    private SubListSerializers() {
    }

    public static Kryo addDefaultSerializers(Kryo kryo) {
        return kryo;
    }
}
