package io.mogul.meta.request;

import io.mogul.meta.store.Table;
import io.mogul.proto.RebalanceOutcome;
import io.mogul.proto.RebalanceStatus;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.RebalanceControl;

/**
 * rebalance start|stop, and the leader's note that a run ended, with its outcome. Starting
 * resets the counters and the outcome of the previous run; starting a running rebalance
 * changes nothing. An administrator's stop of a running rebalance records
 * {@code STOPPED_BY_ADMIN}. The leader's note applies only to the run it was measured in
 * (same {@code started_ms}, still running), so a note delayed past a stop and a new start
 * cannot end the new run; {@code finished_ms} is set only when the outcome is
 * {@code BALANCED}.
 */
public final class ControlRebalance implements CommandHandler {
  /** Admin start ({@code run}) or stop; {@code spreadReached} is kept for entries written before outcomes existed. */
  public static Command prepare(boolean run, boolean spreadReached, long nowMs) {
    return Command.newBuilder().setTimeMs(nowMs).setRebalanceControl(RebalanceControl.newBuilder().setRun(run)
        .setSpreadReached(spreadReached)).build();
  }

  /** The leader's note that the run started at {@code runStartedMs} ended with {@code outcome}. */
  public static Command finish(long runStartedMs, RebalanceOutcome outcome, String detail, long nowMs) {
    if (outcome == RebalanceOutcome.REBALANCE_OUTCOME_UNSPECIFIED || outcome == RebalanceOutcome.UNRECOGNIZED) {
      throw new IllegalArgumentException("a finished run needs an outcome, got " + outcome);
    }
    return Command.newBuilder().setTimeMs(nowMs).setRebalanceControl(RebalanceControl.newBuilder().setRun(false)
        .setSpreadReached(outcome == RebalanceOutcome.REBALANCE_BALANCED).setOutcome(outcome)
        .setDetail(detail).setRunStartedMs(runStartedMs)).build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    RebalanceStatus state = JobRecords.rebalance(ctx.view());
    RebalanceControl c = command.getRebalanceControl();
    long now = command.getTimeMs();
    RebalanceStatus updated;
    if (c.getRun()) {
      updated = state.getRunning() ? state : RebalanceStatus.newBuilder().setRunning(true).setStartedMs(now).build();
    } else if (c.getOutcome() != RebalanceOutcome.REBALANCE_OUTCOME_UNSPECIFIED) {
      if (!state.getRunning() || state.getStartedMs() != c.getRunStartedMs()) {
        return CommandResult.newBuilder().setRebalance(state).build();
      }
      RebalanceStatus.Builder b = state.toBuilder().setRunning(false).setOutcome(c.getOutcome()).setStoppedMs(now)
          .setDetail(c.getDetail());
      if (c.getOutcome() == RebalanceOutcome.REBALANCE_BALANCED) {
        b.setFinishedMs(now);
      }
      updated = b.build();
    } else if (c.getSpreadReached()) {
      // A note written before outcomes existed: applied as it always was.
      updated = state.toBuilder().setRunning(false).setFinishedMs(now).build();
    } else if (state.getRunning()) {
      updated = state.toBuilder().setRunning(false).setOutcome(RebalanceOutcome.REBALANCE_STOPPED_BY_ADMIN)
          .setStoppedMs(now).setDetail("stopped by an administrator").build();
    } else {
      updated = state;
    }
    ctx.txn().put(Table.META, JobRecords.REBALANCE_STATE, updated);
    return CommandResult.newBuilder().setRebalance(updated).build();
  }
}
