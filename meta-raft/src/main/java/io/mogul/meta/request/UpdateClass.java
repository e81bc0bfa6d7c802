package io.mogul.meta.request;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.ClassSpec;
import io.mogul.proto.ReplicationPolicy;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;

/** Changes a class's mindevcount, policy or hash type; zero/unspecified fields keep their value. */
public final class UpdateClass implements CommandHandler {
  public static Command prepare(ClassSpec request, LeaderContext ctx) {
    CreateClass.checkSpec(request);
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setUpdateClass(request).build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    ClassSpec spec = command.getUpdateClass();
    CreateClass.checkSpec(spec);
    Rules.domain(ctx.view(), spec.getDomain());
    ClassRecord current = Rules.storageClass(ctx.view(), spec.getDomain(), spec.getName());
    ClassRecord.Builder b = current.toBuilder();
    if (spec.getMindevcount() != 0) {
      b.setMindevcount(spec.getMindevcount());
    }
    if (spec.getPolicy() != ReplicationPolicy.REPLICATION_POLICY_UNSPECIFIED) {
      b.setPolicy(spec.getPolicy());
    }
    if (!spec.getHashType().isEmpty()) {
      b.setHashType(spec.getHashType());
    }
    ClassRecord updated = b.build();
    ctx.txn().put(Table.CLASSES, Keys.pair(updated.getDomain(), updated.getName()), updated);
    return CommandResult.newBuilder().setClassInfo(Infos.storageClass(ctx.view(), updated)).build();
  }
}
