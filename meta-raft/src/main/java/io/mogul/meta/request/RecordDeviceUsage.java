package io.mogul.meta.request;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.DeviceUsage;
import io.mogul.proto.meta.DeviceUsageItem;

/** Persists the capacity and usage the leader last observed for some devices; unknown devices are skipped. */
public final class RecordDeviceUsage implements CommandHandler {
  public static Command prepare(DeviceUsage usage, long nowMs) {
    return Command.newBuilder().setTimeMs(nowMs).setDeviceUsage(usage).build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    for (DeviceUsageItem item : command.getDeviceUsage().getDevicesList()) {
      DeviceRecord d = ctx.view().device(item.getDeviceId());
      if (d != null) {
        ctx.txn().put(Table.DEVICES, Keys.u32(d.getDeviceId()), d.toBuilder().setCapacityBytes(item.getCapacityBytes())
            .setUsedBytes(item.getUsedBytes()).setReserveBytes(item.getReserveBytes()).build());
      }
    }
    return Results.EMPTY;
  }
}
