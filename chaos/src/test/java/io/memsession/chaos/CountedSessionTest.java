package io.memsession.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The checker's arithmetic: what counts as lost, reset and applied twice. */
class CountedSessionTest {

    private static final String ID = "ABC-n1.tc1";

    private static CountedSession countedTo(long counter) {
        CountedSession session = new CountedSession(CountedSession.Kind.CLIENT);
        assertNull(session.answered(1, session.send(), null, ID));
        for (long next = 2; next <= counter; next++) {
            assertNull(session.answered(next, session.send(), ID, ID));
        }
        return session;
    }

    @Test
    void everyIncrementAnsweredAndHeldIsNeitherLostNorTwice() {
        CountedSession session = countedTo(10);
        assertEquals(0, session.finished(10));
        assertEquals(0, session.lost());
        assertEquals(0, session.resets());
        assertEquals(10, session.answers());
    }

    @Test
    void anAnswerBelowWhatWasAcknowledgedCountsTheIncrementsItMisses() {
        CountedSession session = countedTo(10);
        // the store had 7: 8, 9 and 10 were acknowledged and are gone
        assertNotNull(session.answered(8, session.send(), ID, "ABC-n2.tc1"));
        assertEquals(3, session.lost());
        assertEquals("ABC-n2.tc1", session.id());
        assertNull(session.answered(9, session.send(), "ABC-n2.tc1", "ABC-n2.tc1"));
        assertEquals(0, session.finished(9));
        assertEquals(3, session.lost(), "the final read agrees: nothing more is missing");
    }

    @Test
    void hotSessionAnswersArrivingOutOfOrderAfterALossCountItOnce() {
        CountedSession session = countedTo(909);
        CountedSession.Sent first = session.send();
        CountedSession.Sent second = session.send();
        CountedSession.Sent third = session.send();
        CountedSession.Sent fourth = session.send();
        assertNotNull(session.answered(878, first, ID, ID));
        // the others were sent before the loss was seen and applied after it, their answers out of order
        assertNull(session.answered(880, second, ID, ID));
        assertNull(session.answered(879, third, ID, ID));
        assertEquals(909 - 878 + 1, session.lost());
        // one of them below what the loss left is a loss of its own
        assertNotNull(session.answered(870, fourth, ID, ID));
        assertEquals(909 - 878 + 1 + 878 - 870 + 1, session.lost());
    }

    @Test
    void aFinalCounterBelowTheHighestAcknowledgedIsLost() {
        CountedSession session = countedTo(10);
        assertEquals(0, session.finished(6));
        assertEquals(4, session.lost());
    }

    @Test
    void aSessionAnsweredAsNewIsAResetHoldingWhatItHad() {
        CountedSession session = countedTo(5);
        assertNotNull(session.answered(1, session.send(), ID, "XYZ-n2.tc1"));
        assertEquals(1, session.resets());
        assertEquals(5, session.lostInResets());
        assertEquals(0, session.lost());
        assertEquals("XYZ-n2.tc1", session.id(), "the client goes on with the new session, as a browser would");
        assertEquals(0, session.finished(1));

        CountedSession hot = countedTo(5);
        hot.answered(1, hot.send(), ID, "XYZ-n2.tc1");
        assertEquals(0, hot.finished(9), "after a reset, which new session an increment went to is unknown");
    }

    @Test
    void aSessionGoneAtTheEndIsAReset() {
        CountedSession session = countedTo(5);
        session.finished(0);
        assertEquals(1, session.resets());
        assertEquals(5, session.lostInResets());
    }

    @Test
    void aFailedRequestMayHaveBeenAppliedButMoreThanThatIsAppliedTwice() {
        CountedSession session = countedTo(5);
        session.failed();
        // the failed request was applied: 6 is in the store, the next answer shows 7
        assertNull(session.answered(7, session.send(), ID, ID));
        assertEquals(0, session.finished(7));

        CountedSession twice = countedTo(5);
        assertEquals(2, twice.finished(7), "two increments nobody sent");
    }
}
