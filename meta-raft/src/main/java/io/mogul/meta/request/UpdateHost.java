package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.HostState;
import io.mogul.proto.UpdateHostRequest;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.HostRecord;

/** mogadm host modify / mark: address, zone and state; empty or unspecified fields keep their value. */
public final class UpdateHost implements CommandHandler {
  public static Command prepare(UpdateHostRequest request, LeaderContext ctx) {
    check(request);
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setUpdateHost(request).build();
  }

  private static void check(UpdateHostRequest r) {
    if (!r.getAddress().isEmpty()) {
      Rules.checkAddress(r.getAddress());
    }
    Rules.checkZone(r.getZone());
    if (r.getState() == HostState.UNRECOGNIZED) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "unknown host state");
    }
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    UpdateHostRequest r = command.getUpdateHost();
    check(r);
    HostRecord.Builder b = Rules.host(ctx.view(), r.getHostId()).toBuilder();
    if (!r.getAddress().isEmpty()) {
      b.setAddress(r.getAddress());
    }
    if (!r.getZone().isEmpty()) {
      b.setZone(r.getZone());
    }
    if (r.getState() != HostState.HOST_STATE_UNSPECIFIED) {
      b.setState(r.getState());
    }
    HostRecord host = b.build();
    ctx.txn().put(Table.HOSTS, Keys.u32(host.getHostId()), host);
    return CommandResult.newBuilder().setHost(Infos.host(host)).build();
  }
}
