package io.mogul.meta.request;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.meta.ClearDeletion;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.DeletionRecord;
import java.util.ArrayList;
import java.util.List;

/** Takes devices whose blob is gone off a queued deletion; the entry goes once none is left. */
public final class FinishDeletion implements CommandHandler {
  public static Command prepare(long fid, List<Integer> doneDevices, long nowMs) {
    return Command.newBuilder().setTimeMs(nowMs)
        .setClearDeletion(ClearDeletion.newBuilder().setFid(fid).addAllDeviceIds(doneDevices)).build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    ClearDeletion c = command.getClearDeletion();
    DeletionRecord d = ctx.view().deletion(c.getFid());
    if (d == null) {
      return Results.EMPTY;
    }
    List<Integer> left = new ArrayList<>(d.getDeviceIdsList());
    left.removeAll(c.getDeviceIdsList());
    if (left.isEmpty()) {
      ctx.txn().delete(Table.DELETIONS, Keys.u64(c.getFid()));
    } else {
      ctx.txn().put(Table.DELETIONS, Keys.u64(c.getFid()),
          d.toBuilder().clearDeviceIds().addAllDeviceIds(left).build());
    }
    return Results.EMPTY;
  }
}
