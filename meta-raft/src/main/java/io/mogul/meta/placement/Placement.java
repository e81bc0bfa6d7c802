package io.mogul.meta.placement;

import io.mogul.common.MogulException;
import io.mogul.meta.store.MetaView;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.HostState;
import io.mogul.proto.ReplicationPolicy;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.HostRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Chooses the devices a new file is written to, and orders a file's copies for reading.
 *
 * <p>A device is writable when it is alive on an alive host, reachable (heartbeats arriving,
 * healthy), not full and has room for the size hint. Writable devices are ranked by free
 * space times weight, lowered by I/O load, with a weighted random draw so that uploads
 * spread instead of piling onto the single emptiest device. The first {@code count}
 * devices honour the class's policy where the cluster allows it (distinct hosts, distinct
 * devices, or distinct zones first); up to {@link #SPARES} further ranked devices follow
 * for the client to fall back on.
 */
public final class Placement {
  public static final int SPARES = 2;

  private final DeviceObservations observations;
  private final Random random;

  public Placement(DeviceObservations observations, Random random) {
    this.observations = observations;
    this.random = random;
  }

  public DeviceObservations observations() {
    return observations;
  }

  private record Candidate(DeviceRecord device, HostRecord host, double score) {}

  /**
   * @return device ids, best first: {@code count} satisfying the policy where possible, then spares
   * @throws MogulException NO_WRITABLE_DEVICE when no device is writable
   */
  public List<Integer> choose(MetaView view, ClassRecord cls, long sizeHint, Collection<Integer> exclude, int count) {
    Map<Integer, HostRecord> hosts = new HashMap<>();
    for (HostRecord h : view.hosts()) {
      hosts.put(h.getHostId(), h);
    }
    Set<Integer> excluded = new HashSet<>(exclude);
    List<Candidate> candidates = new ArrayList<>();
    for (DeviceRecord d : view.devices()) {
      HostRecord h = hosts.get(d.getHostId());
      if (excluded.contains(d.getDeviceId()) || h == null || !writable(d, h, sizeHint)) {
        continue;
      }
      DeviceObservations.Observation o = observations.device(d.getDeviceId());
      double score = (double) o.freeBytes() * d.getWeight() * (1.0 - 0.5 * Math.min(1.0, Math.max(0.0, o.ioLoad())));
      // Weighted random order (Efraimidis-Spirakis keys): higher score, earlier, but not always.
      double draw = Math.pow(random.nextDouble(), 1.0 / Math.max(score, 1e-9));
      candidates.add(new Candidate(d, h, draw));
    }
    if (candidates.isEmpty()) {
      throw new MogulException(ErrorReason.NO_WRITABLE_DEVICE, "no writable device"
          + (sizeHint > 0 ? " with " + sizeHint + " bytes free" : "") + " for class '" + cls.getName() + "'");
    }
    candidates.sort(Comparator.comparingDouble(Candidate::score).reversed());
    List<Candidate> chosen = new ArrayList<>();
    pick(candidates, chosen, count, cls.getPolicy());
    // Not enough hosts or zones for the policy: fill with the best remaining devices so
    // small clusters still accept writes; replication repairs the spread later.
    for (Candidate c : candidates) {
      if (chosen.size() >= count) {
        break;
      }
      if (!chosen.contains(c)) {
        chosen.add(c);
      }
    }
    for (Candidate c : candidates) {
      if (chosen.size() >= count + SPARES) {
        break;
      }
      if (!chosen.contains(c)) {
        chosen.add(c);
      }
    }
    List<Integer> ids = new ArrayList<>(chosen.size());
    for (Candidate c : chosen) {
      ids.add(c.device().getDeviceId());
    }
    return ids;
  }

  private static void pick(List<Candidate> ranked, List<Candidate> chosen, int count, ReplicationPolicy policy) {
    switch (policy) {
      case MULTIPLE_DEVICES -> {
        for (Candidate c : ranked) {
          if (chosen.size() >= count) {
            return;
          }
          chosen.add(c);
        }
      }
      case ZONE_AWARE -> {
        Set<String> zones = new HashSet<>();
        Set<Integer> hostIds = new HashSet<>();
        for (Candidate c : ranked) {
          if (chosen.size() < count && zones.add(c.host().getZone())) {
            hostIds.add(c.host().getHostId());
            chosen.add(c);
          }
        }
        for (Candidate c : ranked) {
          if (chosen.size() < count && !chosen.contains(c) && hostIds.add(c.host().getHostId())) {
            chosen.add(c);
          }
        }
      }
      default -> {
        Set<Integer> hostIds = new HashSet<>();
        for (Candidate c : ranked) {
          if (chosen.size() < count && hostIds.add(c.host().getHostId())) {
            chosen.add(c);
          }
        }
      }
    }
  }

  private boolean writable(DeviceRecord d, HostRecord h, long sizeHint) {
    if (d.getState() != DeviceState.DEVICE_ALIVE || h.getState() != HostState.HOST_ALIVE || d.getWeight() == 0) {
      return false;
    }
    if (!observations.reachable(d.getDeviceId())) {
      return false;
    }
    DeviceObservations.Observation o = observations.device(d.getDeviceId());
    return !o.full() && o.freeBytes() > Math.max(0, sizeHint);
  }

  /** A device holding a copy can be read from: not down or dead, on a host that is not down or dead. */
  public static boolean readable(DeviceRecord d, HostRecord h) {
    return d != null && h != null
        && d.getState() != DeviceState.DEVICE_DOWN && d.getState() != DeviceState.DEVICE_DEAD
        && h.getState() != HostState.HOST_DOWN && h.getState() != HostState.HOST_DEAD;
  }

  /**
   * Orders a file's readable copies best first: reachable ones by ascending I/O load, then
   * the unreachable ones. Copies on down or dead devices or hosts are left out.
   */
  public List<Integer> orderForRead(MetaView view, List<Integer> deviceIds) {
    List<Integer> reachable = new ArrayList<>();
    List<Integer> unreachable = new ArrayList<>();
    for (int id : deviceIds) {
      DeviceRecord d = view.device(id);
      HostRecord h = d == null ? null : view.host(d.getHostId());
      if (!readable(d, h)) {
        continue;
      }
      (observations.reachable(id) ? reachable : unreachable).add(id);
    }
    reachable.sort(Comparator.comparingDouble(id -> observations.device(id).ioLoad()));
    reachable.addAll(unreachable);
    return reachable;
  }
}
