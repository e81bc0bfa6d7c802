package io.mogul.meta.jobs;

import io.mogul.common.MogulException;
import io.mogul.meta.request.ControlRebalance;
import io.mogul.meta.request.JobRecords;
import io.mogul.meta.service.TrackerCore;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreException;
import io.mogul.meta.store.Table;
import io.mogul.proto.DeviceState;
import io.mogul.proto.HostState;
import io.mogul.proto.RebalanceStatus;
import io.mogul.proto.ReplicationPolicy;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.HostRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebalance: while started (or the {@code rebalance.enabled} setting is on), moves files
 * from the device holding the most files per weight to the one holding the fewest, a
 * bounded number per round and throttled by {@code rebalance.max_bytes_per_second}, until
 * every writable device is within {@code rebalance.spread_percent} of the mean; then it
 * records that the spread was reached and stops. Moves are committed through Raft one by
 * one, so a new leader continues from the balance it finds.
 */
final class RebalanceJob {
  private static final Logger LOG = LoggerFactory.getLogger(RebalanceJob.class);
  static final int MOVES_PER_ROUND = 32;
  static final int SCAN_LIMIT = 100_000;

  private final TrackerCore core;
  private final JobSettings settings;
  private final FileRepair repair;

  RebalanceJob(TrackerCore core, JobSettings settings, FileRepair repair) {
    this.core = core;
    this.settings = settings;
    this.repair = repair;
  }

  private record Load(int deviceId, int hostId, long files, double share) {}

  private record Moves(List<Long> fids, int from, int to) {}

  void round() throws InterruptedException {
    RebalanceStatus state = core.read(JobRecords::rebalance);
    if (!state.getRunning() && !settings.flag("rebalance.enabled")) {
      return;
    }
    long spread = settings.number("rebalance.spread_percent");
    Moves moves = core.read(view -> plan(view, spread));
    if (moves == null) {
      if (state.getRunning()) {
        try {
          repair.propose(ControlRebalance.prepare(false, true, System.currentTimeMillis()));
        } catch (MogulException e) {
          LOG.info("recording the end of rebalance failed: {}", e.getMessage());
        }
      }
      return;
    }
    for (long fid : moves.fids()) {
      if (!core.read(JobRecords::rebalance).getRunning() && !settings.flag("rebalance.enabled")) {
        return;
      }
      repair.move(fid, moves.from(), moves.to());
    }
  }

  /** The next moves, or null when usage is within the spread (or nothing can move). */
  private Moves plan(MetaView view, long spreadPercent) {
    List<Load> loads = new ArrayList<>();
    for (DeviceRecord d : view.devices()) {
      HostRecord h = view.host(d.getHostId());
      if (h == null || d.getState() != DeviceState.DEVICE_ALIVE || h.getState() != HostState.HOST_ALIVE
          || d.getWeight() == 0 || !core.observations().reachable(d.getDeviceId())) {
        continue;
      }
      loads.add(new Load(d.getDeviceId(), d.getHostId(), d.getFileCount(), (double) d.getFileCount() / d.getWeight()));
    }
    if (loads.size() < 2) {
      return null;
    }
    loads.sort(Comparator.comparingDouble(Load::share));
    Load emptiest = loads.get(0);
    Load fullest = loads.get(loads.size() - 1);
    double mean = loads.stream().mapToDouble(Load::share).average().orElse(0);
    // Never finer than one file: a share moves by 1/weight per file.
    double oneFile = 1.0 / Math.min(weight(view, emptiest), weight(view, fullest));
    double allowed = Math.max(mean * spreadPercent / 100.0, oneFile);
    if (fullest.share() - mean <= allowed && mean - emptiest.share() <= allowed) {
      return null;
    }
    long wanted = Math.max(1, Math.min(MOVES_PER_ROUND, (fullest.files() - emptiest.files()) / 2));
    Map<String, ReplicationPolicy> policies = new HashMap<>();
    for (ClassRecord c : view.classes(null)) {
      policies.put(c.getDomain() + "\0" + c.getName(), c.getPolicy());
    }
    List<Long> fids = new ArrayList<>();
    int[] scanned = {0};
    view.kv().scan(Table.FIDS, new byte[0], null, (k, v) -> {
      FidRecord r;
      try {
        r = FidRecord.parseFrom(v);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new StoreException("corrupt fid record", e);
      }
      if (r.getDeviceIdsList().contains(fullest.deviceId()) && !r.getDeviceIdsList().contains(emptiest.deviceId())
          && policyAllows(view, r, policies.get(r.getDomain() + "\0" + r.getStorageClass()), fullest, emptiest)) {
        fids.add(r.getFid());
      }
      return fids.size() < wanted && ++scanned[0] < SCAN_LIMIT;
    });
    return fids.isEmpty() ? null : new Moves(fids, fullest.deviceId(), emptiest.deviceId());
  }

  private static long weight(MetaView view, Load load) {
    return Math.max(1, view.device(load.deviceId()).getWeight());
  }

  /** Under a host-spreading policy the destination's host must not hold another copy of the fid. */
  private static boolean policyAllows(MetaView view, FidRecord r, ReplicationPolicy policy, Load from, Load to) {
    if (policy == ReplicationPolicy.MULTIPLE_DEVICES || from.hostId() == to.hostId()) {
      return true;
    }
    for (int id : r.getDeviceIdsList()) {
      DeviceRecord d = view.device(id);
      if (id != from.deviceId() && d != null && d.getHostId() == to.hostId()) {
        return false;
      }
    }
    return true;
  }
}
