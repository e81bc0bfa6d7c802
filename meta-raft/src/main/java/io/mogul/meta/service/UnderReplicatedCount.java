package io.mogul.meta.service;

import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreException;
import io.mogul.meta.store.Table;
import io.mogul.proto.DeviceState;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.FidRecord;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The {@code under_replicated} figure of the cluster stats: files with fewer copies on
 * devices that are not dead than their class's mindevcount. Counting needs a scan of every
 * fid, so a tracker counts at most once per {@link #MAX_AGE_MS} and answers the count it
 * has until then: the figure can be up to that old, never an estimate. Stats polled by
 * dashboards (every few seconds, per open page) thus cost one scan per interval instead of
 * one per call.
 */
final class UnderReplicatedCount {
  /** How old an answered count may be. */
  static final long MAX_AGE_MS = 30_000;

  private final LongSupplier nanoClock;
  private long count;
  private long countedAtNanos;
  private boolean counted;

  UnderReplicatedCount(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /** The count, from a scan of {@code view} when the last one is older than {@link #MAX_AGE_MS}. */
  synchronized long get(MetaView view) {
    long now = nanoClock.getAsLong();
    if (!counted || now - countedAtNanos > TimeUnit.MILLISECONDS.toNanos(MAX_AGE_MS)) {
      count = scan(view);
      countedAtNanos = now;
      counted = true;
    }
    return count;
  }

  /** Scans every fid of {@code view}. */
  static long scan(MetaView view) {
    Map<String, Integer> mindevcount = new HashMap<>();
    for (ClassRecord c : view.classes(null)) {
      mindevcount.put(c.getDomain() + "\0" + c.getName(), c.getMindevcount());
    }
    // Copies on dead devices are gone; they do not count toward mindevcount.
    Set<Integer> dead = new HashSet<>();
    for (DeviceRecord d : view.devices()) {
      if (d.getState() == DeviceState.DEVICE_DEAD) {
        dead.add(d.getDeviceId());
      }
    }
    long[] under = {0};
    view.kv().scan(Table.FIDS, new byte[0], null, (k, v) -> {
      FidRecord r;
      try {
        r = FidRecord.parseFrom(v);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new StoreException("corrupt fid record", e);
      }
      int wanted = mindevcount.getOrDefault(r.getDomain() + "\0" + r.getStorageClass(), 0);
      long copies = r.getDeviceIdsList().stream().filter(id -> !dead.contains(id)).count();
      if (copies < wanted) {
        under[0]++;
      }
      return true;
    });
    return under[0];
  }
}
