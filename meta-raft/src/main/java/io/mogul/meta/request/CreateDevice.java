package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.CreateDeviceRequest;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.HostRecord;

/** Adds an alive device to a host; id 0 takes the next never-used id. */
public final class CreateDevice implements CommandHandler {
  public static final int DEFAULT_WEIGHT = 100;

  public static Command prepare(CreateDeviceRequest request, LeaderContext ctx) {
    SetDeviceWeight.checkWeight(request.getWeight());
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setCreateDevice(request).build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    CreateDeviceRequest r = command.getCreateDevice();
    SetDeviceWeight.checkWeight(r.getWeight());
    HostRecord host = Rules.host(ctx.view(), r.getHostId());
    int id;
    if (r.getDeviceId() == 0) {
      id = Counters.nextDeviceId(ctx);
    } else {
      if (ctx.view().device(r.getDeviceId()) != null) {
        throw new MogulException(ErrorReason.DEVICE_EXISTS, "device " + r.getDeviceId() + " exists");
      }
      id = r.getDeviceId();
      Counters.deviceIdUsed(ctx, id);
    }
    DeviceRecord d = DeviceRecord.newBuilder().setDeviceId(id).setHostId(host.getHostId())
        .setState(DeviceState.DEVICE_ALIVE).setWeight(r.getWeight() == 0 ? DEFAULT_WEIGHT : r.getWeight()).build();
    ctx.txn().put(Table.DEVICES, Keys.u32(id), d);
    return CommandResult.newBuilder().setDevice(Infos.device(ctx.view(), d, host)).build();
  }
}
