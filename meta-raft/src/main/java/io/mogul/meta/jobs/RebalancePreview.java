package io.mogul.meta.jobs;

import io.mogul.meta.service.TrackerCore;
import io.mogul.proto.RebalanceDevice;
import io.mogul.proto.RebalanceMove;
import io.mogul.proto.RebalanceTestResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What rebalance would do if started now, worked out as a run's first round does but
 * without moving anything (mogadm {@code rebalance test}): the bytes stored on every
 * writable device, the spread, and the first moves, under the rebalance policy's device
 * filters. Unlike a run, which counts and
 * searches a bounded page per round, it counts every fid and searches page after page
 * until it finds moves or has looked at every file, so its cost grows with the fid table.
 */
public final class RebalancePreview {
  private RebalancePreview() {}

  /** The preview on this tracker's state and device observations; {@code maxMoves} 0 means a round's worth. */
  public static RebalanceTestResponse of(TrackerCore core, int maxMoves) {
    JobSettings settings = new JobSettings(core);
    long spread = settings.number("rebalance.spread_percent");
    RebalancePolicy policy = RebalancePolicy.read(settings);
    DeviceBytesCensus census = new DeviceBytesCensus();
    Map<Integer, Long> counted = null;
    while (counted == null) {
      counted = core.read(view -> census.advance(view, RebalanceJob.SCAN_LIMIT));
    }
    Map<Integer, Long> stored = counted;
    List<RebalancePlan.Device> devices = core.read(view -> RebalanceJob.writable(view, core.observations(), stored));
    RebalanceTestResponse.Builder out = RebalanceTestResponse.newBuilder().setSpreadPercent((int) spread)
        .addAllFromDevices(policy.from()).addAllToDevices(policy.to());
    for (RebalancePlan.Device d : devices) {
      out.addDevices(RebalanceDevice.newBuilder().setDeviceId(d.deviceId()).setHostId(d.hostId())
          .setStoredBytes(d.usedBytes()).setCapacityBytes(d.capacityBytes()));
    }
    if (devices.size() < 2) {
      return out.setDetail(RebalanceJob.tooFewDevices(devices)).build();
    }
    RebalancePlan.Spread now = RebalancePlan.measure(devices, spread);
    out.setMeanUsage(now.meanUsage());
    if (now.balanced()) {
      return out.setBalanced(true).setDetail(now.balancedDetail()).build();
    }
    Set<Integer> sources = RebalanceJob.aboveMean(devices, now, policy);
    RebalanceCandidates candidates = new RebalanceCandidates();
    int moves = maxMoves > 0 ? maxMoves : RebalanceJob.MOVES_PER_ROUND;
    while (true) {
      List<RebalancePlan.FileCopies> files = core.read(view -> candidates.next(view, sources, RebalanceJob.SCAN_LIMIT));
      RebalancePlan.Result plan = RebalancePlan.plan(devices, files, spread, moves, policy);
      if (plan.outcome() == RebalancePlan.Outcome.MOVES) {
        for (RebalancePlan.Move m : plan.moves()) {
          out.addMoves(RebalanceMove.newBuilder().setFid(m.fid()).setLength(m.length())
              .setFromDevice(m.from()).setToDevice(m.to()));
        }
        return out.setDetail(plan.detail()).build();
      }
      if (candidates.reachedEnd()) {
        return out.setDetail(plan.detail() + " (every file was looked at)").build();
      }
    }
  }
}
