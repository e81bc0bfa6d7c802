package io.mogul.meta.request;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.Table;
import io.mogul.proto.meta.Command;
import java.util.EnumSet;
import java.util.Set;

/**
 * A replicated counter that moves whenever a command may have left some file short of
 * good copies or with copies to drop: a device or host changed state, a class its
 * mindevcount or policy, a file its class, a location was dropped, or a file was committed
 * with fewer copies than its class asks for. Re-replication rests after a pass that found
 * nothing to do and starts the next pass when this counter (or what the leader observes of
 * the devices) has moved. The counter only grows, so a change undone meanwhile (mindevcount
 * 2 to 1 and back) still counts as a change.
 */
public final class RepairEpoch {
  static final Set<Command.OpCase> MAY_NEED_REPAIR = EnumSet.of(
      Command.OpCase.SET_DEVICE_STATE, Command.OpCase.CREATE_DEVICE,
      Command.OpCase.CREATE_HOST, Command.OpCase.UPDATE_HOST, Command.OpCase.DELETE_HOST,
      Command.OpCase.REGISTER_HOST, Command.OpCase.UPDATE_CLASS, Command.OpCase.DELETE_CLASS,
      Command.OpCase.UPDATE_FILE_CLASS, Command.OpCase.REMOVE_LOCATION);

  private RepairEpoch() {}

  /** The current epoch. */
  public static long of(MetaView view) {
    return view.counter(Keys.REPAIR_EPOCH);
  }

  /** Moves the epoch after a command of a kind that may need repair work applied successfully. */
  static void afterApplied(ApplyContext ctx, Command command) {
    if (MAY_NEED_REPAIR.contains(command.getOpCase())) {
      bump(ctx);
    }
  }

  static void bump(ApplyContext ctx) {
    ctx.txn().put(Table.META, Keys.REPAIR_EPOCH, Keys.u64(of(ctx.view()) + 1));
  }
}
