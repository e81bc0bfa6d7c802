package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.Table;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.FileRecord;
import io.mogul.proto.meta.OpenUpload;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * create_close: binds domain+key to the fid of an open upload, atomically replacing an
 * older version (whose fid and locations go to the deletion queue). Closing the same fid
 * for the same key again returns the file as it is.
 */
public final class CreateClose implements CommandHandler {
  public static Command prepare(CreateCloseRequest r, LeaderContext ctx) {
    check(r);
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setCreateClose(r).build();
  }

  static void check(CreateCloseRequest r) {
    Names.checkDomain(r.getDomain());
    Names.checkKey(r.getKey());
    if (r.getFid() == 0) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "fid is required");
    }
    if (r.getLength() < 0) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "length must not be negative");
    }
    if (r.getDeviceIdsCount() == 0) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "at least one device must hold the blob");
    }
    Rules.checkAttributes(r.getAttributesMap());
    Rules.checkContentType(r.getContentType());
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    CreateCloseRequest r = command.getCreateClose();
    check(r);
    MetaView view = ctx.view();
    String fidText = Long.toUnsignedString(r.getFid());
    OpenUpload open = view.upload(r.getFid());
    if (open == null) {
      FileRecord current = view.file(r.getDomain(), r.getKey());
      if (current != null && current.getFid() == r.getFid()) {
        return fileResult(view, r.getDomain(), r.getKey(), current);
      }
      FidRecord other = view.fid(r.getFid());
      if (other != null) {
        throw new MogulException(ErrorReason.FID_MISMATCH, "fid " + fidText + " belongs to '"
            + other.getDomain() + "/" + other.getKey() + "'");
      }
      throw new MogulException(ErrorReason.UPLOAD_EXPIRED, "no open upload for fid " + fidText);
    }
    if (!open.getDomain().equals(r.getDomain()) || !open.getKey().equals(r.getKey())) {
      throw new MogulException(ErrorReason.FID_MISMATCH, "fid " + fidText + " was opened for '"
          + open.getDomain() + "/" + open.getKey() + "'");
    }
    Rules.domain(view, r.getDomain());
    ClassRecord cls = Rules.storageClass(view, r.getDomain(), open.getStorageClass());
    List<Integer> devices = new ArrayList<>(new LinkedHashSet<>(r.getDeviceIdsList()));
    if (devices.size() < cls.getMindevcount()) {
      // A write that ended short: re-replication must look for it.
      RepairEpoch.bump(ctx);
    }
    for (int id : devices) {
      Rules.device(view, id);
    }
    FileRecord old = view.file(r.getDomain(), r.getKey());
    if (old != null) {
      FidRecord oldFid = view.fid(old.getFid());
      retire(ctx, old, oldFid, command.getTimeMs());
      FileCounts.adjust(ctx, r.getDomain(), old.getStorageClass(), old.getLength(), -1);
    }
    FileRecord file = FileRecord.newBuilder().setFid(r.getFid()).setStorageClass(open.getStorageClass())
        .setLength(r.getLength()).setCrc32C(r.getCrc32C()).setCreatedMs(command.getTimeMs())
        .setContentType(r.getContentType()).putAllAttributes(r.getAttributesMap()).build();
    FidRecord fid = FidRecord.newBuilder().setFid(r.getFid()).setDomain(r.getDomain()).setKey(r.getKey())
        .setStorageClass(open.getStorageClass()).setLength(r.getLength()).addAllDeviceIds(devices).build();
    ctx.txn().delete(Table.UPLOADS, Keys.u64(r.getFid()));
    ctx.txn().put(Table.FILES, Keys.pair(r.getDomain(), r.getKey()), file);
    ctx.txn().put(Table.FIDS, Keys.u64(r.getFid()), fid);
    FileCounts.adjust(ctx, r.getDomain(), open.getStorageClass(), r.getLength(), 1);
    FileCounts.adjustDevices(ctx, devices, 1);
    return CommandResult.newBuilder().setFile(Infos.file(view, r.getDomain(), r.getKey(), file, fid)).build();
  }

  private static CommandResult fileResult(MetaView view, String domain, String key, FileRecord f) {
    return CommandResult.newBuilder().setFile(Infos.file(view, domain, key, f, view.fid(f.getFid()))).build();
  }

  /** Moves a file's fid and its locations to the deletion queue. */
  static void retire(ApplyContext ctx, FileRecord file, FidRecord fid, long nowMs) {
    List<Integer> devices = fid == null ? List.of() : fid.getDeviceIdsList();
    FileCounts.adjustDevices(ctx, devices, -1);
    ctx.txn().delete(Table.FIDS, Keys.u64(file.getFid()));
    Deletions.queue(ctx, file.getFid(), devices, nowMs);
  }
}
