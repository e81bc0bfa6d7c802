package io.mogul.meta.jobs;

import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduled round of a background job: it runs only while this tracker leads, and
 * nothing it throws escapes (an exception escaping a scheduled task would cancel the job
 * for the life of the process).
 */
final class LeaderRound implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderRound.class);

  /** The work of a round. */
  @FunctionalInterface
  interface Round {
    void run() throws InterruptedException;
  }

  private final String name;
  private final BooleanSupplier leads;
  private final Round round;

  LeaderRound(String name, BooleanSupplier leads, Round round) {
    this.name = name;
    this.leads = leads;
    this.round = round;
  }

  @Override
  public void run() {
    try {
      if (!leads.getAsBoolean()) {
        return;
      }
      round.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("{} round failed", name, e);
    }
  }
}
