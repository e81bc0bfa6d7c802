package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.DomainRef;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.DomainRecord;

/** Deletes an empty domain and its classes; refused with DOMAIN_NOT_EMPTY while it holds files. */
public final class DeleteDomain implements CommandHandler {
  public static Command prepare(DomainRef request, LeaderContext ctx) {
    Names.checkDomain(request.getName());
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setDeleteDomain(request).build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    DomainRecord domain = Rules.domain(ctx.view(), command.getDeleteDomain().getName());
    boolean[] hasFiles = {false};
    ctx.view().kv().scan(Table.FILES, Keys.prefix(domain.getName()), null, (k, v) -> {
      hasFiles[0] = true;
      return false;
    });
    long files = ctx.view().tally(domain).getFileCount();
    if (hasFiles[0] || files > 0) {
      throw new MogulException(ErrorReason.DOMAIN_NOT_EMPTY,
          "domain '" + domain.getName() + "' holds " + files + " files");
    }
    for (ClassRecord c : ctx.view().classes(domain.getName())) {
      ctx.txn().delete(Table.CLASSES, Keys.pair(c.getDomain(), c.getName()));
      ctx.txn().delete(Table.COUNTS, Keys.classTally(c.getDomain(), c.getName()));
    }
    ctx.txn().delete(Table.DOMAINS, Keys.utf8(domain.getName()));
    ctx.txn().delete(Table.COUNTS, Keys.domainTally(domain.getName()));
    return Results.EMPTY;
  }
}
