package io.mogul.meta.jobs;

import io.mogul.proto.ReplicationPolicy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The planning step of rebalance, free of I/O: from the writable devices' usage and the
 * files that could move, decides whether usage is within the spread and which moves to
 * make next.
 *
 * <p>A device's usage is its bytes stored over its capacity. The mean usage is all bytes
 * stored over all capacity (what every device would hold if perfectly even; moves do not
 * change it), and usage is within the spread when every device is within
 * {@code spreadPercent} percent of that mean (10 with a mean of 50 % full: 45 % to 55 %).
 *
 * <p>Moves are chosen one at a time: from the fullest device above the mean to the
 * emptiest below it (then the next pairs, as long as one of the two is outside the
 * spread), the file that lowers the cluster's imbalance most (the capacity-weighted sum
 * of squared distances from the mean usage), which is the one that brings the two
 * devices closest together. A file moves only if that imbalance strictly drops, so moves
 * never overshoot and never undo each other. Every move shifts the file's length from its
 * source to its target before the next one is chosen, so the moves of one plan account for
 * each other. A file moves at most once per plan, never onto a device that already holds
 * a copy or lacks the room, and never against its class's policy: under a host-spreading
 * policy the target's host must not hold another copy, and a zone-aware class must not
 * lose a zone.
 */
final class RebalancePlan {
  /** Most (file, target) pairs one plan looks at, so a round stays bounded on large clusters. */
  static final long MAX_CHECKS = 10_000_000;

  /** A writable device: its host and zone, bytes stored, capacity and free space (0 when full). */
  record Device(int deviceId, int hostId, String zone, long usedBytes, long capacityBytes, long freeBytes) {
    Device {
      if (capacityBytes <= 0) {
        throw new IllegalArgumentException("device " + deviceId + " has no capacity");
      }
    }
  }

  /**
   * A file that may move: its length, the devices holding its copies with their hosts and
   * zones (parallel lists, every copy, writable device or not), and its class's policy.
   */
  record FileCopies(long fid, long length, List<Integer> deviceIds, List<Integer> hostIds, List<String> zones,
                    ReplicationPolicy policy) {}

  /** One planned move of a file's copy. */
  record Move(long fid, long length, int from, int to) {}

  /** How far usage is from even. */
  record Spread(double meanUsage, long spreadPercent, int worstDeviceId, double worstUsage) {
    /** The worst device's distance from the mean usage, in percent of the mean. */
    double worstPercent() {
      return meanUsage == 0 ? 0 : Math.abs(worstUsage - meanUsage) / meanUsage * 100;
    }

    boolean balanced() {
      return Math.abs(worstUsage - meanUsage) <= meanUsage * spreadPercent / 100.0;
    }

    String describe() {
      return String.format(Locale.ROOT, "device %d is furthest from the mean usage: %s full against %s, %.1f%% %s it"
          + " (spread allowed: %d%%)", worstDeviceId, percent(worstUsage), percent(meanUsage), worstPercent(),
          worstUsage >= meanUsage ? "above" : "below", spreadPercent);
    }

    /** The detail of a balanced outcome, wherever it is reported. */
    String balancedDetail() {
      return "usage within the spread: " + describe();
    }
  }

  /** What the plan concluded. */
  enum Outcome {
    /** Usage is within the spread: nothing to do. */
    BALANCED,
    /** Moves to make (the spread may be reached by them or need further plans). */
    MOVES,
    /** Usage is outside the spread, but none of the given files can move closer to even. */
    NOTHING_MOVABLE,
    /** No move was found before the search limit: other files or a later plan may still move. */
    SEARCH_LIMIT
  }

  /** The plan: its outcome, the moves (empty unless MOVES), the spread before and as expected after the moves. */
  record Result(Outcome outcome, List<Move> moves, Spread before, Spread after, String detail) {}

  /** The search's remaining budget, and why (file, target) pairs were turned down for an honest message. */
  private static final class Refusals {
    long checksLeft;
    boolean limited;
    int checked;
    int onTarget;
    int policy;
    int room;
    int overshoot;

    Refusals(long checksLeft) {
      this.checksLeft = checksLeft;
    }

    String describe() {
      if (checked == 0) {
        return "none of the files looked at has a copy on a device above the mean";
      }
      return checked + " possible moves checked: " + onTarget + " already have a copy on the target, " + policy
          + " would break their class's spread over hosts or zones, " + room + " do not fit on the target, "
          + overshoot + " are too large to bring the two devices closer";
    }
  }

  /** A device during planning: its stored bytes and the bytes already planned onto it. */
  private static final class Load {
    final Device device;
    long used;
    long incoming;

    Load(Device device) {
      this.device = device;
      this.used = device.usedBytes();
    }

    double usage() {
      return (double) used / device.capacityBytes();
    }
  }

  private RebalancePlan() {}

  /** The spread of the given devices' usage; {@code spreadPercent} is the allowed distance from the mean. */
  static Spread measure(Collection<Device> devices, long spreadPercent) {
    List<Load> loads = new ArrayList<>();
    for (Device d : devices) {
      loads.add(new Load(d));
    }
    return measureLoads(loads, spreadPercent);
  }

  private static Spread measureLoads(List<Load> loads, long spreadPercent) {
    if (loads.isEmpty()) {
      return new Spread(0, spreadPercent, 0, 0);
    }
    double used = 0;
    double capacity = 0;
    for (Load l : loads) {
      used += l.used;
      capacity += l.device.capacityBytes();
    }
    double mean = used / capacity;
    Load worst = null;
    for (Load l : loads) {
      if (worst == null || Math.abs(l.usage() - mean) > Math.abs(worst.usage() - mean)) {
        worst = l;
      }
    }
    return new Spread(mean, spreadPercent, worst.device.deviceId(), worst.usage());
  }

  /**
   * Plans up to {@code maxMoves} moves of the given files among the given devices, stopping
   * as soon as the planned moves would bring usage within the spread. The search looks at
   * no more than {@link #MAX_CHECKS} (file, target) pairs in all; when it runs out before
   * finding a first move, the outcome is {@link Outcome#SEARCH_LIMIT}, never NOTHING_MOVABLE.
   */
  static Result plan(List<Device> devices, List<FileCopies> files, long spreadPercent, int maxMoves) {
    return plan(devices, files, spreadPercent, maxMoves, MAX_CHECKS, RebalancePolicy.ANY);
  }

  /** As above, moving only off and onto the devices {@code policy} allows. */
  static Result plan(List<Device> devices, List<FileCopies> files, long spreadPercent, int maxMoves,
                     RebalancePolicy policy) {
    return plan(devices, files, spreadPercent, maxMoves, MAX_CHECKS, policy);
  }

  static Result plan(List<Device> devices, List<FileCopies> files, long spreadPercent, int maxMoves, long maxChecks) {
    return plan(devices, files, spreadPercent, maxMoves, maxChecks, RebalancePolicy.ANY);
  }

  static Result plan(List<Device> devices, List<FileCopies> files, long spreadPercent, int maxMoves, long maxChecks,
                     RebalancePolicy policy) {
    Map<Integer, Load> loads = new LinkedHashMap<>();
    for (Device d : devices) {
      loads.put(d.deviceId(), new Load(d));
    }
    List<Load> all = new ArrayList<>(loads.values());
    Spread before = measureLoads(all, spreadPercent);
    if (before.balanced()) {
      return new Result(Outcome.BALANCED, List.of(), before, before, before.balancedDetail());
    }
    Map<Integer, List<FileCopies>> onDevice = new HashMap<>();
    for (FileCopies f : files) {
      for (int id : f.deviceIds()) {
        if (loads.containsKey(id)) {
          onDevice.computeIfAbsent(id, k -> new ArrayList<>()).add(f);
        }
      }
    }
    Set<Long> moved = new HashSet<>();
    List<Move> moves = new ArrayList<>();
    Spread now = before;
    Refusals refusals = new Refusals(maxChecks);
    while (!now.balanced() && moves.size() < maxMoves) {
      refusals = new Refusals(refusals.checksLeft);
      Move next = nextMove(all, now, onDevice, moved, refusals, policy);
      if (next == null) {
        break;
      }
      moves.add(next);
      moved.add(next.fid());
      Load from = loads.get(next.from());
      Load to = loads.get(next.to());
      from.used -= next.length();
      to.used += next.length();
      to.incoming += next.length();
      now = measureLoads(all, spreadPercent);
    }
    if (!moves.isEmpty()) {
      return new Result(Outcome.MOVES, List.copyOf(moves), before, now,
          moves.size() + " moves planned; expected after them: " + now.describe());
    }
    if (refusals.limited) {
      return new Result(Outcome.SEARCH_LIMIT, List.of(), before, before,
          "no move found within " + maxChecks + " checks: " + before.describe());
    }
    return new Result(Outcome.NOTHING_MOVABLE, List.of(), before, before,
        "no file can move closer to even" + policy.describe() + ": " + before.describe() + "; " + refusals.describe());
  }

  /** The best move from the fullest possible source to the emptiest possible target, or null. */
  private static Move nextMove(List<Load> all, Spread now, Map<Integer, List<FileCopies>> onDevice, Set<Long> moved,
                               Refusals refusals, RebalancePolicy policy) {
    double mean = now.meanUsage();
    double allowed = mean * now.spreadPercent() / 100.0;
    Comparator<Load> byUsage = Comparator.comparingDouble(Load::usage).thenComparingInt(l -> l.device.deviceId());
    List<Load> sources = all.stream().filter(l -> l.usage() > mean && policy.allowsFrom(l.device.deviceId()))
        .sorted(byUsage.reversed()).toList();
    List<Load> targets = all.stream().filter(l -> l.usage() < mean && policy.allowsTo(l.device.deviceId()))
        .sorted(byUsage).toList();
    for (Load source : sources) {
      boolean sourceOut = source.usage() - mean > allowed;
      for (Load target : targets) {
        if (!sourceOut && mean - target.usage() <= allowed) {
          continue;
        }
        FileCopies best = null;
        double bestGain = 0;
        for (FileCopies f : onDevice.getOrDefault(source.device.deviceId(), List.of())) {
          if (refusals.checksLeft <= 0) {
            refusals.limited = true;
            return null;
          }
          if (moved.contains(f.fid())) {
            continue;
          }
          double gain = gain(f, source, target, refusals);
          if (gain > 0 && (best == null || gain > bestGain
              || (gain == bestGain && Long.compareUnsigned(f.fid(), best.fid()) < 0))) {
            best = f;
            bestGain = gain;
          }
        }
        if (best != null) {
          return new Move(best.fid(), best.length(), source.device.deviceId(), target.device.deviceId());
        }
      }
    }
    return null;
  }

  /**
   * How much moving the file's copy from {@code source} to {@code target} lowers the
   * imbalance, or 0 when it may not move there. Moving L bytes changes the
   * capacity-weighted sum of squared distances from the mean by
   * L * (L/cs + L/ct - 2 * (us - ut)).
   */
  private static double gain(FileCopies f, Load source, Load target, Refusals refusals) {
    refusals.checked++;
    refusals.checksLeft--;
    Device s = source.device;
    Device t = target.device;
    if (f.deviceIds().contains(t.deviceId())) {
      refusals.onTarget++;
      return 0;
    }
    if (!policyAllows(f, s, t)) {
      refusals.policy++;
      return 0;
    }
    if (t.freeBytes() - target.incoming <= f.length()) {
      refusals.room++;
      return 0;
    }
    double length = f.length();
    double gain = length * (2 * (source.usage() - target.usage()) - length / s.capacityBytes()
        - length / t.capacityBytes());
    if (gain <= 0) {
      refusals.overshoot++;
      return 0;
    }
    return gain;
  }

  /**
   * Whether the class's policy allows the copy on {@code s} to move to {@code t}: any
   * device for MULTIPLE_DEVICES; otherwise no other copy on the target's host (unless the
   * copy stays on its host), and for ZONE_AWARE no fewer distinct zones than before.
   */
  static boolean policyAllows(FileCopies f, Device s, Device t) {
    if (f.policy() == ReplicationPolicy.MULTIPLE_DEVICES) {
      return true;
    }
    Set<String> otherZones = new HashSet<>();
    for (int i = 0; i < f.deviceIds().size(); i++) {
      if (f.deviceIds().get(i) == s.deviceId()) {
        continue;
      }
      if (s.hostId() != t.hostId() && f.hostIds().get(i) == t.hostId()) {
        return false;
      }
      otherZones.add(f.zones().get(i));
    }
    if (f.policy() != ReplicationPolicy.ZONE_AWARE) {
      return true;
    }
    Set<String> before = new HashSet<>(otherZones);
    before.add(s.zone());
    Set<String> after = new HashSet<>(otherZones);
    after.add(t.zone());
    return after.size() >= before.size();
  }

  private static String percent(double usage) {
    return String.format(Locale.ROOT, "%.4g%%", usage * 100);
  }
}
