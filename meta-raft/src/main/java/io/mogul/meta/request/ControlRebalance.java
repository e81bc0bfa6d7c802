package io.mogul.meta.request;

import io.mogul.meta.store.Table;
import io.mogul.proto.RebalanceStatus;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.RebalanceControl;

/**
 * rebalance start|stop, and the leader's note that the spread was reached (a stop with
 * the finish time). Starting resets the move counters; starting a running rebalance
 * changes nothing.
 */
public final class ControlRebalance implements CommandHandler {
  public static Command prepare(boolean run, boolean spreadReached, long nowMs) {
    return Command.newBuilder().setTimeMs(nowMs).setRebalanceControl(RebalanceControl.newBuilder().setRun(run)
        .setSpreadReached(spreadReached)).build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    RebalanceStatus state = JobRecords.rebalance(ctx.view());
    long now = command.getTimeMs();
    RebalanceStatus updated;
    if (command.getRebalanceControl().getRun()) {
      updated = state.getRunning() ? state : RebalanceStatus.newBuilder().setRunning(true).setStartedMs(now).build();
    } else {
      RebalanceStatus.Builder b = state.toBuilder().setRunning(false);
      if (command.getRebalanceControl().getSpreadReached()) {
        b.setFinishedMs(now);
      }
      updated = b.build();
    }
    ctx.txn().put(Table.META, JobRecords.REBALANCE_STATE, updated);
    return CommandResult.newBuilder().setRebalance(updated).build();
  }
}
