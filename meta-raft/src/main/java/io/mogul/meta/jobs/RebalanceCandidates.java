package io.mogul.meta.jobs;

import io.mogul.meta.store.MetaView;
import io.mogul.proto.ReplicationPolicy;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.HostRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The files rebalance may move, a bounded page of the fid table per call, wrapping around
 * at its end: those with a copy on one of the given source devices, with the hosts and
 * zones of all their copies and their class's policy. It also tells when consecutive
 * pages in which nothing could move have together covered every fid, which is what
 * "nothing movable" has to mean.
 *
 * <p>Confined to the rebalance job's thread.
 */
final class RebalanceCandidates {
  /** The last fid looked at; 0 at the start of the table. */
  private long cursor;
  private long lastPageStart;
  private boolean lastPageReachedEnd;
  /** A run of pages without any move is under way, from {@link #streakStart}. */
  private boolean streak;
  private long streakStart;
  private boolean streakWrapped;

  /** The files of the next page of at most {@code pageSize} fids that have a copy on one of {@code sources}. */
  List<RebalancePlan.FileCopies> next(MetaView view, Set<Integer> sources, int pageSize) {
    Map<Integer, HostRecord> hostOfDevice = new HashMap<>();
    for (DeviceRecord d : view.devices()) {
      HostRecord h = view.host(d.getHostId());
      if (h != null) {
        hostOfDevice.put(d.getDeviceId(), h);
      }
    }
    Map<String, ReplicationPolicy> policies = new HashMap<>();
    for (ClassRecord c : view.classes(null)) {
      policies.put(c.getDomain() + "\0" + c.getName(), c.getPolicy());
    }
    List<FidRecord> page = FidScan.after(view, cursor, pageSize);
    lastPageStart = cursor;
    lastPageReachedEnd = page.size() < pageSize;
    cursor = lastPageReachedEnd ? 0 : page.get(page.size() - 1).getFid();
    List<RebalancePlan.FileCopies> out = new ArrayList<>();
    for (FidRecord r : page) {
      ReplicationPolicy policy = policies.get(r.getDomain() + "\0" + r.getStorageClass());
      if (policy == null || r.getDeviceIdsList().stream().noneMatch(sources::contains)) {
        continue; // no class: nothing to check a move against, and the repair would refuse it
      }
      List<Integer> hosts = new ArrayList<>();
      List<String> zones = new ArrayList<>();
      for (int id : r.getDeviceIdsList()) {
        HostRecord h = hostOfDevice.get(id);
        hosts.add(h == null ? 0 : h.getHostId());
        zones.add(h == null ? "" : h.getZone());
      }
      out.add(new RebalancePlan.FileCopies(r.getFid(), r.getLength(), r.getDeviceIdsList(), hosts, zones, policy));
    }
    return out;
  }

  /** Whether the last page ended at the end of the fid table (the next one starts over). */
  boolean reachedEnd() {
    return lastPageReachedEnd;
  }

  /** The last page gave moves (or was not searched through): a later "nothing movable" needs a full turn from here. */
  void progressed() {
    streak = false;
  }

  /**
   * The last page gave no move. True when the pages since the last move (or since the
   * start) have together covered every fid; the turn then starts over.
   */
  boolean fruitless() {
    if (!streak) {
      streak = true;
      streakStart = lastPageStart;
      streakWrapped = false;
    }
    boolean covered;
    if (lastPageReachedEnd) {
      covered = streakStart == 0 || streakWrapped;
      streakWrapped = true;
    } else {
      covered = streakWrapped && Long.compareUnsigned(cursor, streakStart) >= 0;
    }
    if (covered) {
      streak = false;
    }
    return covered;
  }

  /** Starts over at the beginning of the table. */
  void reset() {
    cursor = 0;
    lastPageStart = 0;
    lastPageReachedEnd = false;
    streak = false;
  }
}
