package io.mogul.meta.jobs;

import io.mogul.common.MogulException;
import io.mogul.meta.placement.DeviceObservations;
import io.mogul.meta.request.ControlRebalance;
import io.mogul.meta.request.JobRecords;
import io.mogul.meta.service.TrackerCore;
import io.mogul.meta.store.MetaView;
import io.mogul.proto.DeviceState;
import io.mogul.proto.HostState;
import io.mogul.proto.RebalanceOutcome;
import io.mogul.proto.RebalanceStatus;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.HostRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebalance: while started (or the {@code rebalance.enabled} setting is on), moves files
 * from fuller to emptier writable devices, by bytes, until every one's usage (bytes stored
 * over capacity) is within {@code rebalance.spread_percent} percent of the mean usage;
 * moves are paced by {@code rebalance.max_bytes_per_second}. {@link RebalancePlan} decides
 * the moves, {@link DeviceBytesCensus} counts the bytes stored per device and
 * {@link RebalanceCandidates} finds the files to consider, a bounded page per round.
 *
 * <p>A started run ends on its own in one of three ways, recorded with the outcome and why:
 * BALANCED once the spread is reached, NOTHING_MOVABLE when usage is outside the spread but
 * no file anywhere can move closer to even (a full turn over the fid table found none, or
 * fewer than two devices have been writable for a minute), LIMIT_REACHED once it moved the
 * files or bytes its {@link RebalancePolicy} allows. The policy's device filters also
 * narrow which devices files leave and reach. Moves are committed through
 * Raft one by one, so a new leader continues from the balance it finds; its count of the
 * bytes per device starts afresh.
 */
final class RebalanceJob {
  private static final Logger LOG = LoggerFactory.getLogger(RebalanceJob.class);
  static final int MOVES_PER_ROUND = 32;
  /** Most fids counted, and most fids looked at for candidates, per round. */
  static final int SCAN_LIMIT = 100_000;
  /** A longer pause between rounds means this tracker was not leading or not rebalancing: count afresh. */
  static final long STALE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(10);
  /**
   * How long fewer than two devices must be writable before a run ends as nothing movable,
   * so that devices still unheard of after a restart or briefly unreachable do not end it.
   */
  static final long TOO_FEW_DEVICES_GRACE_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final TrackerCore core;
  private final JobSettings settings;
  private final FileRepair repair;
  private final Throttle bandwidth;
  private final DeviceBytesCensus census = new DeviceBytesCensus();
  private final RebalanceCandidates candidates = new RebalanceCandidates();
  private long lastRoundNanos;
  /** Since when fewer than two devices have been writable; 0 while enough are. */
  private long tooFewSinceNanos;

  RebalanceJob(TrackerCore core, JobSettings settings, FileRepair repair) {
    this.core = core;
    this.settings = settings;
    this.repair = repair;
    this.bandwidth = new Throttle(() -> settings.number("rebalance.max_bytes_per_second"));
  }

  void round() throws InterruptedException {
    boolean continuing = lastRoundNanos != 0 && System.nanoTime() - lastRoundNanos <= STALE_AFTER_NANOS;
    try {
      RebalanceStatus state = core.read(JobRecords::rebalance);
      if (!active(state) || !continuing) {
        census.reset();
        candidates.reset();
        tooFewSinceNanos = 0;
      }
      if (active(state)) {
        step(state);
      }
    } finally {
      lastRoundNanos = System.nanoTime();
    }
  }

  private boolean active(RebalanceStatus state) {
    return state.getRunning() || settings.flag("rebalance.enabled");
  }

  private void step(RebalanceStatus state) throws InterruptedException {
    long spread = settings.number("rebalance.spread_percent");
    RebalancePolicy policy = RebalancePolicy.read(settings);
    String enough = state.getRunning() ? policy.limitReached(state) : null;
    if (enough != null) {
      end(state, RebalanceOutcome.REBALANCE_LIMIT_REACHED, enough);
      return;
    }
    Map<Integer, Long> stored = core.read(view -> census.advance(view, SCAN_LIMIT));
    List<RebalancePlan.Device> devices = core.read(view -> writable(view, core.observations(),
        stored == null ? Map.of() : stored));
    if (devices.size() < 2) {
      long now = System.nanoTime();
      tooFewSinceNanos = tooFewSinceNanos == 0 ? now : tooFewSinceNanos;
      if (now - tooFewSinceNanos >= TOO_FEW_DEVICES_GRACE_NANOS) {
        end(state, RebalanceOutcome.REBALANCE_NOTHING_MOVABLE, tooFewDevices(devices) + " for "
            + TimeUnit.NANOSECONDS.toSeconds(TOO_FEW_DEVICES_GRACE_NANOS) + " s");
      }
      return;
    }
    tooFewSinceNanos = 0;
    if (stored == null) {
      return; // the first count of the bytes on each device is still under way
    }
    RebalancePlan.Spread now = RebalancePlan.measure(devices, spread);
    if (now.balanced()) {
      end(state, RebalanceOutcome.REBALANCE_BALANCED, now.balancedDetail());
      return;
    }
    Set<Integer> sources = aboveMean(devices, now, policy);
    List<RebalancePlan.FileCopies> files = core.read(view -> candidates.next(view, sources, SCAN_LIMIT));
    RebalancePlan.Result plan = RebalancePlan.plan(devices, files, spread, MOVES_PER_ROUND, policy);
    switch (plan.outcome()) {
      case BALANCED -> end(state, RebalanceOutcome.REBALANCE_BALANCED, plan.detail());
      case NOTHING_MOVABLE -> {
        if (candidates.fruitless()) {
          end(state, RebalanceOutcome.REBALANCE_NOTHING_MOVABLE, plan.detail() + " (every file was looked at)");
        }
      }
      case SEARCH_LIMIT -> {
        candidates.progressed(); // not searched through: proves nothing about this page
        LOG.debug("rebalance: {}", plan.detail());
      }
      case MOVES -> {
        candidates.progressed();
        LOG.debug("rebalance: {}", plan.detail());
        move(plan.moves(), policy);
      }
      default -> throw new IllegalStateException("outcome " + plan.outcome());
    }
  }

  private void move(List<RebalancePlan.Move> moves, RebalancePolicy policy) throws InterruptedException {
    for (RebalancePlan.Move m : moves) {
      RebalanceStatus state = core.read(JobRecords::rebalance);
      if (!active(state) || (state.getRunning() && policy.limitReached(state) != null)) {
        return; // the next round ends a run that moved enough
      }
      if (repair.move(m.fid(), m.from(), m.to(), bandwidth)) {
        census.moved(m.fid(), m.length(), m.from(), m.to());
      }
    }
  }

  /** Why no run can work with {@code devices}, fewer than two. */
  static String tooFewDevices(List<RebalancePlan.Device> devices) {
    return "fewer than two writable devices (alive, on an alive host, reachable, with a capacity and a weight"
        + " above 0): " + devices.stream().map(RebalancePlan.Device::deviceId).toList();
  }

  /** The devices fuller than the mean usage that the policy lets files leave: where moves start. */
  static Set<Integer> aboveMean(List<RebalancePlan.Device> devices, RebalancePlan.Spread spread,
                                RebalancePolicy policy) {
    Set<Integer> sources = new HashSet<>();
    for (RebalancePlan.Device d : devices) {
      if ((double) d.usedBytes() / d.capacityBytes() > spread.meanUsage() && policy.allowsFrom(d.deviceId())) {
        sources.add(d.deviceId());
      }
    }
    return sources;
  }

  /**
   * The devices rebalance works with: alive, on an alive host, reachable and weighted above
   * zero, with the freshest capacity observed (the persisted one while none is) and the
   * bytes stored on them.
   */
  static List<RebalancePlan.Device> writable(MetaView view, DeviceObservations observations,
                                             Map<Integer, Long> stored) {
    List<RebalancePlan.Device> out = new ArrayList<>();
    for (DeviceRecord d : view.devices()) {
      HostRecord h = view.host(d.getHostId());
      if (h == null || d.getState() != DeviceState.DEVICE_ALIVE || h.getState() != HostState.HOST_ALIVE
          || d.getWeight() == 0 || !observations.reachable(d.getDeviceId())) {
        continue;
      }
      DeviceObservations.Observation o = observations.device(d.getDeviceId());
      long capacity = o != null && o.capacityBytes() > 0 ? o.capacityBytes() : d.getCapacityBytes();
      if (capacity <= 0) {
        continue;
      }
      long free = o == null || o.full() ? 0 : o.freeBytes();
      out.add(new RebalancePlan.Device(d.getDeviceId(), h.getHostId(), h.getZone(),
          stored.getOrDefault(d.getDeviceId(), 0L), capacity, free));
    }
    return out;
  }

  /** Records how the running run ended; nothing while only the setting keeps rebalance on. */
  private void end(RebalanceStatus state, RebalanceOutcome outcome, String detail) {
    if (!state.getRunning()) {
      return;
    }
    LOG.info("rebalance ended, {}: {}", outcome, detail);
    try {
      repair.propose(ControlRebalance.finish(state.getStartedMs(), outcome, detail, System.currentTimeMillis()));
    } catch (MogulException e) {
      LOG.info("recording the end of rebalance failed (retried next round): {}", e.getMessage());
    }
  }
}
