package io.mogul.meta.request;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;

/** Never-reused id counters kept in the state (host ids, device ids, the fid high-water mark). */
final class Counters {
  private Counters() {}

  static int nextHostId(ApplyContext ctx) {
    long next = Math.max(1, ctx.view().counter(Keys.NEXT_HOST_ID));
    ctx.txn().put(Table.META, Keys.NEXT_HOST_ID, Keys.u64(next + 1));
    return (int) next;
  }

  static int nextDeviceId(ApplyContext ctx) {
    long next = Math.max(1, ctx.view().counter(Keys.NEXT_DEVICE_ID));
    ctx.txn().put(Table.META, Keys.NEXT_DEVICE_ID, Keys.u64(next + 1));
    return (int) next;
  }

  /** Makes sure the device counter never hands out {@code usedId} again. */
  static void deviceIdUsed(ApplyContext ctx, int usedId) {
    long next = Math.max(1, ctx.view().counter(Keys.NEXT_DEVICE_ID));
    if (Integer.toUnsignedLong(usedId) >= next) {
      ctx.txn().put(Table.META, Keys.NEXT_DEVICE_ID, Keys.u64(Integer.toUnsignedLong(usedId) + 1));
    }
  }
}
