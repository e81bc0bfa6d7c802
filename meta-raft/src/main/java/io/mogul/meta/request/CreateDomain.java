package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.DomainRef;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ReplicationPolicy;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.DomainRecord;

/** Creates a domain together with its {@code default} class (mindevcount 2, multiple hosts). */
public final class CreateDomain implements CommandHandler {
  public static Command prepare(DomainRef request, LeaderContext ctx) {
    Names.checkDomain(request.getName());
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setCreateDomain(request).build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    String name = Names.checkDomain(command.getCreateDomain().getName());
    if (ctx.view().domain(name) != null) {
      throw new MogulException(ErrorReason.DOMAIN_EXISTS, "domain '" + name + "' exists");
    }
    DomainRecord domain = DomainRecord.newBuilder().setName(name).setCreatedMs(command.getTimeMs()).build();
    ctx.txn().put(Table.DOMAINS, Keys.utf8(name), domain);
    ctx.txn().put(Table.CLASSES, Keys.pair(name, Rules.DEFAULT_CLASS), ClassRecord.newBuilder()
        .setDomain(name).setName(Rules.DEFAULT_CLASS).setMindevcount(2)
        .setPolicy(ReplicationPolicy.MULTIPLE_HOSTS).build());
    return CommandResult.newBuilder().setDomain(Infos.domain(ctx.view(), domain)).build();
  }
}
