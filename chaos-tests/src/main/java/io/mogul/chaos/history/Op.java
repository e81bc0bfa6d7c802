package io.mogul.chaos.history;

/**
 * One recorded client operation on one key, as the workload saw it.
 *
 * @param id unique, dense from 0 within a run
 * @param worker the workload thread that ran it
 * @param kind what was asked
 * @param key the key (for a rename, the source key)
 * @param toKey the rename target, else null
 * @param value digest of the bytes written (PUT) or read (GET, null when absent); null otherwise
 * @param invokeNanos when the call started (monotonic, same clock for all workers)
 * @param completeNanos when the answer arrived; {@link Long#MAX_VALUE} while unknown
 * @param outcome how it ended
 * @param error reason text for failures, else null
 */
public record Op(int id, int worker, Kind kind, String key, String toKey, String value, long invokeNanos,
    long completeNanos, Outcome outcome, String error) {

  /** Operation kinds of the workload. */
  public enum Kind { PUT, GET, DELETE, RENAME, LIST }

  /** How an operation ended. */
  public enum Outcome {
    /** Acknowledged: it took effect (a GET returned {@code value}). */
    OK,
    /** A DELETE or GET that found no such key: a read of "absent". */
    NOT_FOUND,
    /** Definitely did not take effect (rejected before any state changed). */
    FAILED,
    /** Timed out or the connection dropped: it may or may not have taken effect. */
    UNKNOWN
  }

  public boolean mayHaveTakenEffect() {
    return outcome == Outcome.OK || outcome == Outcome.NOT_FOUND || outcome == Outcome.UNKNOWN;
  }
}
