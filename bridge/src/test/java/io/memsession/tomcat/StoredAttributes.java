package io.memsession.tomcat;

import java.util.List;
import java.util.Map;

import io.memsession.core.format.SessionBlob;
import io.memsession.core.format.SessionSeal;
import io.memsession.core.format.StoredSession;
import io.memsession.serializer.ClassAllowList;
import io.memsession.serializer.TranscoderSettings;
import io.memsession.serializer.java.JavaTranscoderFactory;
import io.memsession.testkit.MemcachedInspector;

/** Reads the attributes of a session as memcached holds it (a {@code get} of its key), for waits on stored state. */
final class StoredAttributes {

    /** How the test application (the root context of host localhost, unsealed) stores its sessions. */
    static final SessionBlob ROOT_CONTEXT = new SessionBlob(SessionBlob.webapp("localhost", "", ""),
            SessionSeal.none());

    private StoredAttributes() {
    }

    /** A session the unsealed root context of an {@link EmbeddedTomcat} stored. */
    static StoredSession session(byte[] blob) {
        return ROOT_CONTEXT.decode(blob);
    }

    /** The attributes in a stored session, or an empty map when memcached had nothing ({@code blob} null). */
    static Map<String, Object> of(byte[] blob) {
        if (blob == null) {
            return Map.of();
        }
        byte[] attributes = session(blob).attributes();
        return new JavaTranscoderFactory().createTranscoder(new TranscoderSettings(
                StoredAttributes.class.getClassLoader(), false, List.of(), ClassAllowList.allowAll()))
                .deserialize(attributes);
    }

    /** The {@code counter} attribute memcached holds for the session, or null. */
    static Object counter(MemcachedInspector inspector, String sessionId) {
        return of(inspector.get(sessionId)).get("counter");
    }
}
