package io.memsession.chaos;

import java.util.Locale;

/**
 * One session of the run as its clients know it: its id (followed as the server renames it) and every increment
 * acknowledged to a client. A request's answer must show more than the highest counter acknowledged before it was
 * sent: any acknowledged increment is in the state it was applied to. Shared by the threads of a hot session.
 */
final class CountedSession {

    enum Kind { CLIENT, IDLE, HOT }

    final Kind kind;
    private String id;
    /** The highest counter acknowledged since the session began (or began anew after a reset). */
    private long highest;
    /** Since the session began: answers with a counter, and requests that got none (applied or not, unknown). */
    private long acknowledged;
    private long failed;
    private long lost;
    private long resets;
    private long lostInResets;
    /** Answers that went back, and the counter the last of them showed. */
    private int losses;
    private long counterAfterLoss;
    private long lastAnswerNanos;
    private long answers;
    /** Seconds the probe found this session in one place or none. */
    private int secondsExposed;

    CountedSession(Kind kind) {
        this.kind = kind;
    }

    synchronized String id() {
        return id;
    }

    /**
     * What the answer to a request sent now is compared with: the highest counter acknowledged so far, and how many
     * losses had been seen.
     */
    record Sent(long highest, int losses) {
    }

    synchronized Sent send() {
        return new Sent(highest, losses);
    }

    synchronized long highest() {
        return highest;
    }

    synchronized long lastAnswerNanos() {
        return lastAnswerNanos;
    }

    /**
     * Takes in an answered increment: {@code counter} is what the answer showed, {@code sent} what was known when
     * the request was sent, {@code presentedId} the id the request carried (null for the first). Returns what was
     * wrong with the answer, or null.
     */
    synchronized String answered(long counter, Sent sent, String presentedId, String idNow) {
        String problem = null;
        long before = sent.highest();
        long previousAnswerNanos = lastAnswerNanos;
        lastAnswerNanos = System.nanoTime();
        answers++;
        if (presentedId != null && counter == 1 && before >= 1) {
            // the session is gone: the server began a new one. When it was last answered tells which faults it
            // met since: an idle session's Tomcat may have died seconds before its node did
            problem = String.format(Locale.ROOT, "reset: %s answered as a new session %s after %d, %.1f s after "
                    + "its last answer", presentedId, idNow, before, (lastAnswerNanos - previousAnswerNanos) / 1e9);
            resets++;
            lostInResets += before;
            highest = 1;
            acknowledged = 1;
            failed = 0;
        } else {
            // A hot session's request sent before a loss was seen was applied to what the store held after it:
            // compared with what that loss left, not with what was acknowledged before it.
            long reference = sent.losses() == losses ? before : counterAfterLoss;
            if (counter <= reference) {
                problem = "went back: " + presentedId + " answered " + counter + " after " + reference
                        + (idNow.equals(presentedId) ? "" : " as " + idNow);
                lost += reference - counter + 1;
                losses++;
                counterAfterLoss = counter;
                highest = counter;
            } else {
                highest = Math.max(highest, counter);
            }
            acknowledged++;
        }
        id = idNow;
        return problem;
    }

    synchronized void failed() {
        failed++;
    }

    /**
     * Takes in the counter the session holds at the end ({@code 0}: it is gone). Returns the increments applied
     * more than once (at least: a lost one can hide one applied twice); 0 for a session that was reset, whose
     * parallel requests may have counted in more than one new session.
     */
    synchronized long finished(long counter) {
        if (counter == 0 && highest > 0) {
            resets++;
            lostInResets += highest;
            return 0;
        }
        if (counter < highest) {
            lost += highest - counter;
        }
        return resets > 0 ? 0 : Math.max(0, counter - acknowledged + lost - failed);
    }

    synchronized long lost() {
        return lost;
    }

    synchronized long resets() {
        return resets;
    }

    synchronized long lostInResets() {
        return lostInResets;
    }

    /** Every answered increment of the run, over all the session's beginnings. */
    synchronized long answers() {
        return answers;
    }

    synchronized void exposedForASecond() {
        secondsExposed++;
    }

    synchronized int secondsExposed() {
        return secondsExposed;
    }
}
