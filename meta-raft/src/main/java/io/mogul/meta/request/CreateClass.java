package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.ClassSpec;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ReplicationPolicy;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;

/** Adds a storage class to a domain (mindevcount 2 and multiple hosts unless given). */
public final class CreateClass implements CommandHandler {
  public static Command prepare(ClassSpec request, LeaderContext ctx) {
    checkSpec(request);
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setCreateClass(request).build();
  }

  static void checkSpec(ClassSpec spec) {
    Names.checkDomain(spec.getDomain());
    Names.checkClass(spec.getName());
    if (spec.getMindevcount() > Rules.MAX_MINDEVCOUNT) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT,
          "mindevcount must be 1-" + Rules.MAX_MINDEVCOUNT + ", got " + spec.getMindevcount());
    }
    if (spec.getPolicy() == ReplicationPolicy.UNRECOGNIZED) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "unknown replication policy");
    }
    String hash = spec.getHashType();
    if (!hash.isEmpty() && !hash.equals("CRC32C")) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "hash_type must be empty or CRC32C, got '" + hash + "'");
    }
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    ClassSpec spec = command.getCreateClass();
    checkSpec(spec);
    Rules.domain(ctx.view(), spec.getDomain());
    if (ctx.view().storageClass(spec.getDomain(), spec.getName()) != null) {
      throw new MogulException(ErrorReason.CLASS_EXISTS,
          "class '" + spec.getName() + "' exists in domain '" + spec.getDomain() + "'");
    }
    ClassRecord c = ClassRecord.newBuilder().setDomain(spec.getDomain()).setName(spec.getName())
        .setMindevcount(spec.getMindevcount() == 0 ? 2 : spec.getMindevcount())
        .setPolicy(spec.getPolicy() == ReplicationPolicy.REPLICATION_POLICY_UNSPECIFIED
            ? ReplicationPolicy.MULTIPLE_HOSTS : spec.getPolicy())
        .setHashType(spec.getHashType()).build();
    ctx.txn().put(Table.CLASSES, Keys.pair(c.getDomain(), c.getName()), c);
    return CommandResult.newBuilder().setClassInfo(Infos.storageClass(ctx.view(), c)).build();
  }
}
