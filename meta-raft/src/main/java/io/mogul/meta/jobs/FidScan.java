package io.mogul.meta.jobs;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreException;
import io.mogul.meta.store.Table;
import io.mogul.proto.meta.FidRecord;
import java.util.ArrayList;
import java.util.List;

/** Ordered reads of the live fids, a bounded page at a time. */
final class FidScan {
  private FidScan() {}

  /** Up to {@code limit} fid records with a fid above {@code after}, ascending. */
  static List<FidRecord> after(MetaView view, long after, int limit) {
    List<FidRecord> out = new ArrayList<>();
    if (after == -1L) {
      return out;
    }
    view.kv().scan(Table.FIDS, new byte[0], Keys.u64(after + 1), (k, v) -> {
      try {
        out.add(FidRecord.parseFrom(v));
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new StoreException("corrupt fid record", e);
      }
      return out.size() < limit;
    });
    return out;
  }
}
