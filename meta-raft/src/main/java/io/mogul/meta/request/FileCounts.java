package io.mogul.meta.request;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreTxn;
import io.mogul.meta.store.Table;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.DomainRecord;

/** Keeps the per-domain, per-class and per-device file counts in step with the files. */
final class FileCounts {
  private FileCounts() {}

  /** Adds (sign 1) or removes (sign -1) one file of {@code length} bytes. */
  static void adjust(ApplyContext ctx, String domain, String storageClass, long length, int sign) {
    MetaView view = ctx.view();
    StoreTxn txn = ctx.txn();
    DomainRecord d = view.domain(domain);
    if (d != null) {
      txn.put(Table.DOMAINS, Keys.utf8(domain), d.toBuilder()
          .setFileCount(d.getFileCount() + sign).setByteCount(d.getByteCount() + sign * length).build());
    }
    ClassRecord c = view.storageClass(domain, storageClass);
    if (c != null) {
      txn.put(Table.CLASSES, Keys.pair(domain, storageClass), c.toBuilder()
          .setFileCount(c.getFileCount() + sign).setByteCount(c.getByteCount() + sign * length).build());
    }
  }

  static void adjustDevices(ApplyContext ctx, Iterable<Integer> deviceIds, int sign) {
    for (int id : deviceIds) {
      DeviceRecord dev = ctx.view().device(id);
      if (dev != null) {
        ctx.txn().put(Table.DEVICES, Keys.u32(id), dev.toBuilder().setFileCount(dev.getFileCount() + sign).build());
      }
    }
  }
}
