package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.CreateHostRequest;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.HostState;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.HostRecord;

/** Adds a datanode host (alive) under a fresh host id. */
public final class CreateHost implements CommandHandler {
  public static Command prepare(CreateHostRequest request, LeaderContext ctx) {
    check(request);
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setCreateHost(request).build();
  }

  private static void check(CreateHostRequest r) {
    Names.checkHost(r.getName());
    Rules.checkAddress(r.getAddress());
    Rules.checkZone(r.getZone());
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    CreateHostRequest r = command.getCreateHost();
    check(r);
    if (ctx.view().hostByName(r.getName()) != null) {
      throw new MogulException(ErrorReason.HOST_EXISTS, "host '" + r.getName() + "' exists");
    }
    HostRecord host = HostRecord.newBuilder().setHostId(Counters.nextHostId(ctx)).setName(r.getName())
        .setAddress(r.getAddress()).setZone(r.getZone()).setState(HostState.HOST_ALIVE).build();
    ctx.txn().put(Table.HOSTS, Keys.u32(host.getHostId()), host);
    return CommandResult.newBuilder().setHost(Infos.host(host)).build();
  }
}
