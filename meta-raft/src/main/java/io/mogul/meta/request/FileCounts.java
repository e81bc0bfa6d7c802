package io.mogul.meta.request;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.Table;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.DomainRecord;
import io.mogul.proto.meta.FileTally;

/**
 * Keeps the per-domain, per-class and per-device file tallies in step with the files. The
 * tallies live in their own table, so a file write leaves the domain, class and device
 * records (and whatever is derived from them) unchanged.
 */
final class FileCounts {
  private FileCounts() {}

  /** Adds (sign 1) or removes (sign -1) one file of {@code length} bytes. */
  static void adjust(ApplyContext ctx, String domain, String storageClass, long length, int sign) {
    MetaView view = ctx.view();
    DomainRecord d = view.domain(domain);
    if (d != null) {
      add(ctx, Keys.domainTally(domain), view.tally(d), sign, sign * length);
    }
    ClassRecord c = view.storageClass(domain, storageClass);
    if (c != null) {
      add(ctx, Keys.classTally(domain, storageClass), view.tally(c), sign, sign * length);
    }
  }

  static void adjustDevices(ApplyContext ctx, Iterable<Integer> deviceIds, int sign) {
    for (int id : deviceIds) {
      DeviceRecord dev = ctx.view().device(id);
      if (dev != null) {
        add(ctx, Keys.deviceTally(id), ctx.view().tally(dev), sign, 0);
      }
    }
  }

  private static void add(ApplyContext ctx, byte[] key, FileTally tally, int files, long bytes) {
    ctx.txn().put(Table.COUNTS, key, tally.toBuilder().setFileCount(tally.getFileCount() + files)
        .setByteCount(tally.getByteCount() + bytes).build());
  }
}
