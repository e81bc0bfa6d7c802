package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.SetDeviceWeightRequest;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.DeviceRecord;

/** mogadm device modify --weight. Weight 0 keeps new files off the device. */
public final class SetDeviceWeight implements CommandHandler {
  public static final int MAX_WEIGHT = 10_000;

  public static Command prepare(SetDeviceWeightRequest request, LeaderContext ctx) {
    checkWeight(request.getWeight());
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setSetDeviceWeight(request).build();
  }

  static void checkWeight(int weight) {
    if (Integer.toUnsignedLong(weight) > MAX_WEIGHT) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "weight must be 0-" + MAX_WEIGHT + ", got " + Integer.toUnsignedLong(weight));
    }
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    SetDeviceWeightRequest r = command.getSetDeviceWeight();
    checkWeight(r.getWeight());
    DeviceRecord d = Rules.device(ctx.view(), r.getDeviceId());
    DeviceRecord updated = d.toBuilder().setWeight(r.getWeight()).build();
    ctx.txn().put(Table.DEVICES, Keys.u32(d.getDeviceId()), updated);
    return CommandResult.newBuilder()
        .setDevice(Infos.device(ctx.view(), updated, ctx.view().host(d.getHostId()))).build();
  }
}
