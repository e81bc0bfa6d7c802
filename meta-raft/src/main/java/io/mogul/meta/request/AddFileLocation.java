package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.AddLocation;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.RebalanceStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Records a new, already verified copy of a live fid (re-replication, fsck repair), or a
 * move when it also names the location it replaces (drain, rebalance). A fid deleted or
 * replaced meanwhile is refused, so the copy becomes an orphan for the orphan collector;
 * so is a copy on a device where the fid's old blob is still queued for deletion. The
 * replaced location's blob is queued for deletion in the same batch.
 */
public final class AddFileLocation implements CommandHandler {
  public static Command prepare(AddLocation add, long nowMs) {
    check(add);
    return Command.newBuilder().setTimeMs(nowMs).setAddLocation(add).build();
  }

  private static void check(AddLocation a) {
    if (a.getFid() == 0 || a.getDeviceId() == 0) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "fid and device are required");
    }
    if (a.getReplacesDeviceId() == a.getDeviceId()) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "a copy cannot replace itself");
    }
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    AddLocation a = command.getAddLocation();
    check(a);
    FidRecord fid = ctx.view().fid(a.getFid());
    if (fid == null) {
      throw new MogulException(ErrorReason.UNKNOWN_FID, "fid " + Long.toUnsignedString(a.getFid()) + " is not live");
    }
    if (Rules.device(ctx.view(), a.getDeviceId()).getState() == DeviceState.DEVICE_DEAD) {
      throw new MogulException(ErrorReason.INVALID_STATE_CHANGE, "device " + a.getDeviceId() + " is dead");
    }
    List<Integer> devices = new ArrayList<>(fid.getDeviceIdsList());
    if (devices.contains(a.getDeviceId())) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT,
          "fid " + Long.toUnsignedString(a.getFid()) + " already has a copy on device " + a.getDeviceId());
    }
    if (Deletions.queued(ctx, a.getFid(), a.getDeviceId())) {
      // The delete GC may remove that blob at any moment, the new copy with it.
      throw new MogulException(ErrorReason.INVALID_STATE_CHANGE, "fid " + Long.toUnsignedString(a.getFid())
          + " is still queued for deletion on device " + a.getDeviceId());
    }
    devices.add(a.getDeviceId());
    FileCounts.adjustDevices(ctx, List.of(a.getDeviceId()), 1);
    if (a.getReplacesDeviceId() != 0 && devices.remove(Integer.valueOf(a.getReplacesDeviceId()))) {
      FileCounts.adjustDevices(ctx, List.of(a.getReplacesDeviceId()), -1);
      Deletions.queue(ctx, a.getFid(), List.of(a.getReplacesDeviceId()), command.getTimeMs());
    }
    ctx.txn().put(Table.FIDS, Keys.u64(a.getFid()), fid.toBuilder().clearDeviceIds().addAllDeviceIds(devices).build());
    if (a.getRebalance()) {
      RebalanceStatus state = JobRecords.rebalance(ctx.view());
      ctx.txn().put(Table.META, JobRecords.REBALANCE_STATE, state.toBuilder()
          .setMovedFiles(state.getMovedFiles() + 1).setMovedBytes(state.getMovedBytes() + fid.getLength()).build());
    }
    return Results.EMPTY;
  }
}
