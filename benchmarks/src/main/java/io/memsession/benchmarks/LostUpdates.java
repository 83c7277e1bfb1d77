package io.memsession.benchmarks;

/**
 * What the check after a run found: sessions requested again on a fresh Tomcat whose counter did not go on from
 * what their clients were told.
 *
 * @param checked sessions requested again (those whose last request failed are left out: their counter is unknown)
 * @param lost updates missing: sessions whose counter did not continue (hot sessions: answered increments missing)
 * @param firstLoss what the first loss looked like; null for none
 */
record LostUpdates(int checked, int sessions, long lost, String firstLoss) {
}
