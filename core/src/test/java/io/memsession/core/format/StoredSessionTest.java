package io.memsession.core.format;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StoredSessionTest {

    private static StoredSession form(long thisAccessedTime, long writeNumber) {
        return new StoredSession("A-n1.tc1", 1, thisAccessedTime, thisAccessedTime, writeNumber, 1800, false, null,
                null, "java", new byte[0]);
    }

    @Test
    void theFormUsedLastIsNewerWhateverItsWriteNumber() {
        assertTrue(form(2000, 3).isNewerThan(form(1999, 9)), "restored from a copy that was behind, then used");
        assertFalse(form(1999, 9).isNewerThan(form(2000, 3)));
    }

    @Test
    void withinOneMillisecondTheLaterWriteIsNewer() {
        assertTrue(form(2000, 8).isNewerThan(form(2000, 7)));
        assertFalse(form(2000, 7).isNewerThan(form(2000, 8)));
    }

    @Test
    void theSameWriteIsNotNewerThanItself() {
        assertFalse(form(2000, 7).isNewerThan(form(2000, 7)));
    }
}
