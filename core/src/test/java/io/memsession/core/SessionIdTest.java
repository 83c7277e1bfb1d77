package io.memsession.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SessionIdTest {

    @Test
    void readsBaseNodeAndRoute() {
        SessionId id = SessionId.parse("ABC123-n1.tc1");
        assertEquals("ABC123", id.base());
        assertEquals("n1", id.nodeId());
        assertEquals("tc1", id.jvmRoute());
        assertEquals("ABC123-n1.tc1", id.toString());
    }

    @Test
    void nodeEndsAtTheFirstDotSoRoutesMayHoldDashesAndDots() {
        SessionId id = SessionId.parse("foo-n.j-v-m1.x");
        assertEquals("n", id.nodeId());
        assertEquals("j-v-m1.x", id.jvmRoute());
        SessionId routeOnly = SessionId.parse("foo.j-v-m1");
        assertNull(routeOnly.nodeId());
        assertEquals("j-v-m1", routeOnly.jvmRoute());
    }

    @Test
    void idsWithoutNodeOrRoute() {
        assertNull(SessionId.parse("ABC").nodeId());
        assertNull(SessionId.parse("ABC").jvmRoute());
        assertEquals("ABC-n2", SessionId.parse("ABC").withNodeId("n2").toString());
        assertEquals("ABC-n2.tc2", SessionId.parse("ABC-n2.tc1").withJvmRoute("tc2").toString());
        assertEquals("ABC-n2", SessionId.parse("ABC-n2.tc1").withJvmRoute(null).toString());
    }

    @Test
    void refusesWhatMemsessionCannotHaveGenerated() {
        for (String bad : new String[] {"", "-n1", "ABC-", "ABC-n 1", "ABC-n1.", "AB C", "ABC-n-1", "ABC\r\n",
                "ABC-n1.tc1;x", "A%41", "x".repeat(200)}) {
            assertNull(SessionId.parse(bad), bad);
        }
        assertNull(SessionId.parse(null));
    }

    @Test
    void tomcatIdsGetTheirNodeBeforeTheRoute() {
        assertEquals("ABC-n1.tc1", SessionId.fromTomcatId("ABC.tc1", "n1").toString());
        assertEquals("ABC.tc1", SessionId.fromTomcatId("ABC.tc1", null).toString());
        assertThrows(IllegalArgumentException.class, () -> SessionId.fromTomcatId("A-B", "n1"));
    }
}
