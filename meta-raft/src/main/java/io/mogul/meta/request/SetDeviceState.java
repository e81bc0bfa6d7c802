package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.SetDeviceStateRequest;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.DeviceRecord;

/** mogadm device mark. Dead is terminal: a dead device never changes state again. */
public final class SetDeviceState implements CommandHandler {
  public static Command prepare(SetDeviceStateRequest request, LeaderContext ctx) {
    check(request);
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setSetDeviceState(request).build();
  }

  private static void check(SetDeviceStateRequest r) {
    if (r.getState() == DeviceState.DEVICE_STATE_UNSPECIFIED || r.getState() == DeviceState.UNRECOGNIZED) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "a device state is required");
    }
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    SetDeviceStateRequest r = command.getSetDeviceState();
    check(r);
    DeviceRecord d = Rules.device(ctx.view(), r.getDeviceId());
    if (d.getState() == DeviceState.DEVICE_DEAD && r.getState() != DeviceState.DEVICE_DEAD) {
      throw new MogulException(ErrorReason.INVALID_STATE_CHANGE,
          "device " + d.getDeviceId() + " is dead; dead is terminal");
    }
    DeviceRecord updated = d.toBuilder().setState(r.getState()).build();
    ctx.txn().put(Table.DEVICES, Keys.u32(d.getDeviceId()), updated);
    return CommandResult.newBuilder()
        .setDevice(Infos.device(ctx.view(), updated, ctx.view().host(d.getHostId()))).build();
  }
}
