package io.memsession.serializer.kryo;

import com.esotericsoftware.kryo.Kryo;

/**
 * A class named in the Manager attribute {@code customConverter}: it registers serializers on, or otherwise
 * configures, every Kryo instance the serializer creates. Implementations need a public no-argument constructor and
 * are created once per web application; {@link #customize} runs once per pooled Kryo instance.
 *
 * <p>Kryo is relocated inside memsession's jar: compile customizations against {@code memsession-serializer-kryo},
 * whose Kryo classes live in {@code io.memsession.shaded.com.esotericsoftware.kryo}.
 */
public interface KryoCustomization {

    void customize(Kryo kryo);
}
