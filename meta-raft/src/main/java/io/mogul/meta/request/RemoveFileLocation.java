package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.RemoveLocation;
import java.util.ArrayList;
import java.util.List;

/**
 * Drops one location of a live fid. The last location of a fid is only dropped when its
 * device is dead (the copy is gone anyway); otherwise the caller must add a copy first.
 * Removing a location the fid does not have is a no-op, so a retried removal is harmless.
 * The dropped copy's blob is queued for deletion in the same batch (unless its device is
 * dead), so it is removed even if the tracker that dropped it fails right after.
 */
public final class RemoveFileLocation implements CommandHandler {
  public static Command prepare(long fid, int deviceId, long nowMs) {
    return Command.newBuilder().setTimeMs(nowMs)
        .setRemoveLocation(RemoveLocation.newBuilder().setFid(fid).setDeviceId(deviceId)).build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    RemoveLocation r = command.getRemoveLocation();
    FidRecord fid = ctx.view().fid(r.getFid());
    if (fid == null) {
      throw new MogulException(ErrorReason.UNKNOWN_FID, "fid " + Long.toUnsignedString(r.getFid()) + " is not live");
    }
    List<Integer> devices = new ArrayList<>(fid.getDeviceIdsList());
    if (!devices.remove(Integer.valueOf(r.getDeviceId()))) {
      return Results.EMPTY;
    }
    DeviceRecord device = ctx.view().device(r.getDeviceId());
    boolean dead = device == null || device.getState() == DeviceState.DEVICE_DEAD;
    if (devices.isEmpty() && !dead) {
      throw new MogulException(ErrorReason.INVALID_STATE_CHANGE, "device " + r.getDeviceId()
          + " holds the last copy of fid " + Long.toUnsignedString(r.getFid()));
    }
    FileCounts.adjustDevices(ctx, List.of(r.getDeviceId()), -1);
    ctx.txn().put(Table.FIDS, Keys.u64(r.getFid()), fid.toBuilder().clearDeviceIds().addAllDeviceIds(devices).build());
    if (!dead) {
      // The blob is still on the device: the delete GC removes it, retrying until it is gone.
      Deletions.queue(ctx, r.getFid(), List.of(r.getDeviceId()), command.getTimeMs());
    }
    return Results.EMPTY;
  }
}
