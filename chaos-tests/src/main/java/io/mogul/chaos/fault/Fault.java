package io.mogul.chaos.fault;

/**
 * One kind of failure the harness can inject. {@link #inject} breaks something and
 * returns how to undo it; the runner holds the fault for a while under load, then heals it
 * and measures how long the cluster takes to serve again.
 */
public interface Fault {
  /** A stable name for reports and schedules, e.g. {@code kill-leader}. */
  String name();

  /**
   * Breaks one thing chosen with the context's seeded random source.
   *
   * @return the injected fault, or null when this fault cannot apply now (e.g. nothing to corrupt yet)
   */
  Injected inject(FaultContext context) throws Exception;

  /** A fault that is in effect. */
  interface Injected {
    /** What was hit, e.g. {@code t2} or {@code dn1,dn3}. */
    String target();

    /** Undoes the fault (restart, resume, reconnect); a no-op for permanent damage. */
    void heal() throws Exception;
  }
}
