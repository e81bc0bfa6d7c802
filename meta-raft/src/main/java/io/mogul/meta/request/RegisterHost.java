package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.HostState;
import io.mogul.proto.RegisterRequest;
import io.mogul.proto.RegisterResponse;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.HostRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * A datanode registers by host name (idempotent): the host is created or its address and
 * zone updated, and new devices are allocated from the never-reused device counter until
 * the host owns {@code device_count} devices that are not dead.
 */
public final class RegisterHost implements CommandHandler {
  public static final int MAX_DEVICES = 256;

  public static Command prepare(RegisterRequest r, LeaderContext ctx) {
    check(r);
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setRegisterHost(r).build();
  }

  private static void check(RegisterRequest r) {
    Names.checkHost(r.getHostName());
    Rules.checkAddress(r.getAddress());
    Rules.checkZone(r.getZone());
    if (r.getDeviceCount() > MAX_DEVICES) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "device_count must be at most " + MAX_DEVICES);
    }
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    RegisterRequest r = command.getRegisterHost();
    check(r);
    HostRecord host = ctx.view().hostByName(r.getHostName());
    if (host == null) {
      host = HostRecord.newBuilder().setHostId(Counters.nextHostId(ctx)).setName(r.getHostName())
          .setState(HostState.HOST_ALIVE).build();
    }
    host = host.toBuilder().setAddress(r.getAddress()).setZone(r.getZone()).build();
    ctx.txn().put(Table.HOSTS, Keys.u32(host.getHostId()), host);
    List<Integer> live = new ArrayList<>();
    for (DeviceRecord d : ctx.view().devicesOfHost(host.getHostId())) {
      if (d.getState() != DeviceState.DEVICE_DEAD) {
        live.add(d.getDeviceId());
      }
    }
    while (live.size() < r.getDeviceCount()) {
      int id = Counters.nextDeviceId(ctx);
      ctx.txn().put(Table.DEVICES, Keys.u32(id), DeviceRecord.newBuilder().setDeviceId(id)
          .setHostId(host.getHostId()).setState(DeviceState.DEVICE_ALIVE).setWeight(CreateDevice.DEFAULT_WEIGHT).build());
      live.add(id);
    }
    return CommandResult.newBuilder().setRegister(RegisterResponse.newBuilder()
        .setHostId(host.getHostId()).addAllDeviceIds(live)).build();
  }
}
