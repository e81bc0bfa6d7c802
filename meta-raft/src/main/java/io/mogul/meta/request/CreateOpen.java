package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.Table;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.CreateOpenResponse;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.OpenUpload;
import java.util.List;

/**
 * create_open. The leader step checks the names, resolves the class, allocates a fid from
 * its reserved range and places the copies. The open upload it returns is held in the
 * leader's memory, not logged: create_close carries it into its own log entry, so a put
 * costs one entry instead of two.
 *
 * <p>The apply step serves create_open commands that log entries written by older
 * versions still hold: it records the upload in the state, where create_close finds it.
 */
public final class CreateOpen implements CommandHandler {
  public static OpenUpload prepare(CreateOpenRequest r, LeaderContext ctx) {
    Names.checkDomain(r.getDomain());
    Names.checkKey(r.getKey());
    String className = Rules.className(r.getStorageClass());
    Names.checkClass(className);
    if (r.getCount() > Rules.MAX_MINDEVCOUNT) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "count must be at most " + Rules.MAX_MINDEVCOUNT);
    }
    MetaView view = ctx.view();
    Rules.domain(view, r.getDomain());
    ClassRecord cls = Rules.storageClass(view, r.getDomain(), className);
    int count = r.getCount() == 0 ? cls.getMindevcount() : r.getCount();
    List<Integer> devices = ctx.placement().choose(view, cls, r.getSizeHint(), r.getExcludeDevicesList(), count);
    return OpenUpload.newBuilder().setFid(ctx.allocateFid()).setDomain(r.getDomain()).setKey(r.getKey())
        .setStorageClass(className).setExpiresAtMs(ctx.nowMs() + ctx.uploadExpiryMs()).addAllDeviceIds(devices).build();
  }

  /** The client's answer for an open upload. */
  public static CreateOpenResponse response(MetaView view, OpenUpload open) {
    CreateOpenResponse.Builder b = CreateOpenResponse.newBuilder().setFid(open.getFid())
        .setStorageClass(open.getStorageClass()).setExpiresAtMs(open.getExpiresAtMs());
    for (int id : open.getDeviceIdsList()) {
      b.addDevices(Infos.location(view, id));
    }
    ClassRecord cls = view.storageClass(open.getDomain(), open.getStorageClass());
    if (cls != null) {
      b.setMindevcount(cls.getMindevcount());
    }
    return b.build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    OpenUpload open = command.getCreateOpen();
    Rules.domain(ctx.view(), open.getDomain());
    Rules.storageClass(ctx.view(), open.getDomain(), open.getStorageClass());
    Names.checkKey(open.getKey());
    long highWater = ctx.view().counter(Keys.FID_HIGH_WATER);
    if (open.getFid() == 0 || Long.compareUnsigned(open.getFid(), highWater) > 0) {
      throw new MogulException(ErrorReason.INTERNAL, "fid " + Long.toUnsignedString(open.getFid())
          + " was never reserved (high-water " + Long.toUnsignedString(highWater) + ")");
    }
    if (ctx.view().upload(open.getFid()) != null || ctx.view().fid(open.getFid()) != null) {
      throw new MogulException(ErrorReason.INTERNAL, "fid " + Long.toUnsignedString(open.getFid()) + " is already in use");
    }
    ctx.txn().put(Table.UPLOADS, Keys.u64(open.getFid()), open);
    return CommandResult.newBuilder().setOpen(open).build();
  }
}
