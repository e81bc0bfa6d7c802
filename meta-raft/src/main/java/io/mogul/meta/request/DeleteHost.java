package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.Table;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.HostRef;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.HostRecord;

/** Deletes a host, by id or name; refused with HOST_NOT_EMPTY while it has devices that are not dead. */
public final class DeleteHost implements CommandHandler {
  public static Command prepare(HostRef request, LeaderContext ctx) {
    check(request);
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setDeleteHost(request).build();
  }

  private static void check(HostRef ref) {
    if (ref.getHostId() == 0) {
      Names.checkHost(ref.getName());
    }
  }

  static HostRecord resolve(MetaView view, HostRef ref) {
    if (ref.getHostId() != 0) {
      return Rules.host(view, ref.getHostId());
    }
    HostRecord h = view.hostByName(ref.getName());
    if (h == null) {
      throw new MogulException(ErrorReason.UNKNOWN_HOST, "no host '" + ref.getName() + "'");
    }
    return h;
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    HostRef ref = command.getDeleteHost();
    check(ref);
    HostRecord host = resolve(ctx.view(), ref);
    for (DeviceRecord d : ctx.view().devicesOfHost(host.getHostId())) {
      if (d.getState() != DeviceState.DEVICE_DEAD) {
        throw new MogulException(ErrorReason.HOST_NOT_EMPTY,
            "host '" + host.getName() + "' still has device " + d.getDeviceId() + " (" + d.getState() + ")");
      }
    }
    ctx.txn().delete(Table.HOSTS, Keys.u32(host.getHostId()));
    return Results.EMPTY;
  }
}
