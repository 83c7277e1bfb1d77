package io.memsession.serializer.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.CompatibleFieldSerializer;

/**
 * {@code customConverter} for class evolution: the application's classes are written with their field names, so a
 * session stays readable after a deployment that added fields to an attribute's class (they read as their
 * defaults) or removed some (their stored values are skipped). Without it, a changed class makes the stored
 * sessions that hold it unreadable, and their users get new sessions.
 *
 * <p>The cost: each class's field names once per stored session, and a little more work per field on both ends.
 */
public final class CompatibleFieldSerializerRegistration implements KryoCustomization {

    @Override
    public void customize(Kryo kryo) {
        kryo.setDefaultSerializer(CompatibleFieldSerializer.class);
    }
}
