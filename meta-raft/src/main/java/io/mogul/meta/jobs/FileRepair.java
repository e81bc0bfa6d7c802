package io.mogul.meta.jobs;

import io.mogul.common.MogulException;
import io.mogul.meta.jobs.CopyStates.Copy;
import io.mogul.meta.request.AddFileLocation;
import io.mogul.meta.request.RemoveFileLocation;
import io.mogul.meta.service.TrackerCore;
import io.mogul.meta.store.MetaView;
import io.mogul.proto.BlobRef;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ReplicateRequest;
import io.mogul.proto.ReplicationPolicy;
import io.mogul.proto.meta.AddLocation;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.DeletionRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.FileRecord;
import io.mogul.proto.meta.HostRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one fid to its class's mindevcount of good copies and drops the copies it no
 * longer needs. New copies are pulled datanode-to-datanode ({@code Replicate}: the
 * destination reads from a good copy and checks length and checksum before it
 * acknowledges) onto a device Placement chooses, honouring the class policy against the
 * copies already there; only then is the location committed through Raft. Copies on dead
 * devices are dropped from the metadata, copies on draining devices, bad copies and
 * surplus copies are dropped, always only once enough good copies exist; dropping a
 * location queues its blob for the delete GC in the same log entry, which retries the
 * delete until the datanode confirms it. One fid is repaired by one thread at a time.
 */
final class FileRepair {
  private static final Logger LOG = LoggerFactory.getLogger(FileRepair.class);
  private static final long PROPOSE_TIMEOUT_MS = 30_000;
  private static final int MAX_COPIES_PER_CALL = 16;

  /** One thing done to a fid, with the fsck log code it is reported under. */
  record Action(String code, int deviceId, String detail) {}

  /** The state of a fid's copies as the leader sees it. */
  record Plan(FidRecord fid, ClassRecord cls, int min, int crc32c, Map<Integer, Copy> copies,
              Map<Integer, String> addresses, List<Integer> sources, Integer destination) {
    int count(Copy kind) {
      return (int) copies.values().stream().filter(c -> c == kind).count();
    }

    int counted() {
      return count(Copy.GOOD) + count(Copy.PENDING);
    }
  }

  private final TrackerCore core;
  private final DatanodeClients clients;
  private final CopyStates states;
  private final Throttle bandwidth;
  private final Set<Long> busy = ConcurrentHashMap.newKeySet();

  FileRepair(TrackerCore core, DatanodeClients clients, CopyStates states, Throttle bandwidth) {
    this.core = core;
    this.clients = clients;
    this.states = states;
    this.bandwidth = bandwidth;
  }

  CopyStates states() {
    return states;
  }

  /** Whether a repair of the fid is under way right now. */
  boolean busy(long fid) {
    return busy.contains(fid);
  }

  /**
   * How urgent the fid's repair is without any I/O, given the worth of a copy on each
   * device: the number of copies that still count (lower is more urgent), or -1 when
   * nothing is to be done.
   */
  static int urgency(IntFunction<Copy> copyOn, FidRecord fid, int min) {
    int counted = 0;
    int good = 0;
    boolean leaving = false;
    for (int id : fid.getDeviceIdsList()) {
      Copy c = copyOn.apply(id);
      counted += c == Copy.GOOD || c == Copy.PENDING ? 1 : 0;
      good += c == Copy.GOOD ? 1 : 0;
      leaving |= c == Copy.DEAD || c == Copy.DRAINING;
    }
    if (counted < min) {
      return counted;
    }
    return leaving || good > min ? counted : -1;
  }

  /**
   * Repairs the fid; {@code bad} are devices whose copy fsck found broken. Returns what
   * was done (empty when another thread is repairing the fid or nothing was needed).
   */
  List<Action> repair(long fid, Set<Integer> bad) throws InterruptedException {
    if (!busy.add(fid)) {
      return List.of();
    }
    try {
      List<Action> actions = new ArrayList<>();
      for (int i = 0; i < MAX_COPIES_PER_CALL; i++) {
        Plan plan = core.read(view -> plan(view, fid, bad));
        if (plan == null || plan.counted() >= plan.min()) {
          break;
        }
        if (plan.sources().isEmpty()) {
          actions.add(new Action("NOPA", 0, "no readable good copy to copy from"));
          break;
        }
        if (plan.destination() == null) {
          LOG.debug("fid {}: no device to copy to", Long.toUnsignedString(fid));
          break;
        }
        Action copied = copy(plan);
        if (copied == null) {
          break;
        }
        actions.add(copied);
      }
      Plan plan = core.read(view -> plan(view, fid, bad));
      if (plan != null) {
        drop(plan, bad, actions);
      }
      return actions;
    } finally {
      busy.remove(fid);
    }
  }

  private Plan plan(MetaView view, long fidId, Set<Integer> bad) {
    FidRecord fid = view.fid(fidId);
    if (fid == null) {
      return null;
    }
    FileRecord file = view.file(fid.getDomain(), fid.getKey());
    ClassRecord cls = view.storageClass(fid.getDomain(), fid.getStorageClass());
    if (file == null || file.getFid() != fidId || cls == null) {
      return null;
    }
    Map<Integer, Copy> copies = new LinkedHashMap<>();
    Map<Integer, String> addresses = new LinkedHashMap<>();
    Set<Integer> countedHosts = new HashSet<>();
    for (int id : fid.getDeviceIdsList()) {
      Copy c = bad.contains(id) ? Copy.LOST : states.of(view, id);
      copies.put(id, c);
      DeviceRecord d = view.device(id);
      HostRecord h = d == null ? null : view.host(d.getHostId());
      if (h != null) {
        addresses.put(id, h.getAddress());
        if (c == Copy.GOOD || c == Copy.PENDING) {
          countedHosts.add(h.getHostId());
        }
      }
    }
    List<Integer> sources = new ArrayList<>();
    copies.forEach((id, c) -> {
      if (c == Copy.GOOD && !bad.contains(id)) {
        sources.add(id);
      }
    });
    copies.forEach((id, c) -> {
      if (c == Copy.DRAINING && !bad.contains(id)) {
        sources.add(id);
      }
    });
    Integer destination = null;
    if (!sources.isEmpty() && copies.values().stream().filter(c -> c == Copy.GOOD || c == Copy.PENDING).count()
        < cls.getMindevcount()) {
      destination = destination(view, fid, cls, bad, countedHosts);
    }
    if (destination != null) {
      DeviceRecord d = view.device(destination);
      addresses.put(destination, view.host(d.getHostId()).getAddress());
    }
    return new Plan(fid, cls, cls.getMindevcount(), file.getCrc32C(), copies, addresses, sources, destination);
  }

  /** A device for a new copy: on a host without a counted copy where the policy asks for it and the cluster allows. */
  private Integer destination(MetaView view, FidRecord fid, ClassRecord cls, Set<Integer> bad,
                              Set<Integer> countedHosts) {
    Set<Integer> exclude = new HashSet<>(fid.getDeviceIdsList());
    exclude.addAll(bad);
    // A device whose old blob of this fid awaits the delete GC would lose the new copy too.
    exclude.addAll(queuedForDeletion(view, fid.getFid()));
    Set<Integer> excludeHosts = new HashSet<>(exclude);
    if (cls.getPolicy() != ReplicationPolicy.MULTIPLE_DEVICES) {
      for (DeviceRecord d : view.devices()) {
        if (countedHosts.contains(d.getHostId())) {
          excludeHosts.add(d.getDeviceId());
        }
      }
    }
    for (Set<Integer> ex : List.of(excludeHosts, exclude)) {
      try {
        List<Integer> ranked = core.placement().choose(view, cls, fid.getLength(), ex, 1);
        if (!ranked.isEmpty()) {
          return ranked.get(0);
        }
      } catch (MogulException e) {
        if (e.reason() != ErrorReason.NO_WRITABLE_DEVICE) {
          throw e;
        }
      }
    }
    return null;
  }

  /** Copies from the first source that works to the plan's destination and commits it. */
  private Action copy(Plan plan) throws InterruptedException {
    long fid = plan.fid().getFid();
    int dest = plan.destination();
    bandwidth.acquire(plan.fid().getLength());
    for (int source : plan.sources()) {
      try {
        replicate(plan, source, dest);
      } catch (RuntimeException e) {
        LOG.info("copying fid {} from device {} to {} failed: {}", Long.toUnsignedString(fid), source, dest,
            MogulException.from(e).getMessage());
        continue;
      }
      try {
        propose(AddFileLocation.prepare(AddLocation.newBuilder().setFid(fid).setDeviceId(dest).build(),
            System.currentTimeMillis()));
      } catch (MogulException e) {
        LOG.info("recording copy of fid {} on device {} failed: {}", Long.toUnsignedString(fid), dest, e.getMessage());
        discardUnrecorded(plan, fid, dest, e);
        return null;
      }
      core.repairs().copyMade();
      return new Action("REPL", dest, "copied from device " + source);
    }
    return null;
  }

  /** Pulls a copy of the fid from {@code source} onto {@code dest}; the destination verifies it. */
  void replicate(Plan plan, int source, int dest) {
    long fid = plan.fid().getFid();
    long deadlineMs = 30_000 + plan.fid().getLength() / 1_000;
    clients.stub(plan.addresses().get(dest), deadlineMs).replicate(ReplicateRequest.newBuilder().setFid(fid)
        .setDeviceId(dest).setSourceAddress(plan.addresses().get(source)).setSourceDeviceId(source)
        .setExpectedLength(plan.fid().getLength()).setExpectedCrc32C(plan.crc32c()).build());
  }

  private void drop(Plan plan, Set<Integer> bad, List<Action> actions) {
    long fid = plan.fid().getFid();
    int good = plan.count(Copy.GOOD);
    List<Integer> surplus = new ArrayList<>();
    for (Map.Entry<Integer, Copy> e : plan.copies().entrySet()) {
      int id = e.getKey();
      boolean isBad = bad.contains(id);
      if (isBad && good >= 1) {
        if (removeLocation(fid, id)) {
          actions.add(new Action("DROP", id, "bad copy dropped and queued for deletion"));
        }
      } else if (!isBad && good >= plan.min() && e.getValue() == Copy.DEAD) {
        if (removeLocation(fid, id)) {
          actions.add(new Action("DROP", id, "location on a dead device dropped"));
        }
      } else if (!isBad && good >= plan.min() && e.getValue() == Copy.DRAINING) {
        if (removeLocation(fid, id)) {
          actions.add(new Action("DROP", id, "copy moved off a draining device"));
        }
      } else if (e.getValue() == Copy.GOOD && !isBad) {
        surplus.add(id);
      }
    }
    if (good > plan.min() && plan.count(Copy.PENDING) == 0) {
      surplus.sort(Comparator.comparingLong((Integer id) -> core.read(v -> fileCount(v, id))).reversed());
      for (int id : surplus.subList(0, good - plan.min())) {
        if (removeLocation(fid, id)) {
          core.repairs().surplusRemoved();
          actions.add(new Action("DROP", id, "surplus copy above mindevcount " + plan.min() + " removed"));
        }
      }
    }
  }

  /**
   * Moves the fid's copy from {@code from} to {@code to} (rebalance): copy, then commit the
   * new location in place of the old one, which queues the old blob for the delete GC in
   * the same log entry; the copy is paced by
   * {@code pace} (rebalance has a bandwidth of its own). False when the fid is busy, gone,
   * or the copy or commit failed.
   */
  boolean move(long fid, int from, int to, Throttle pace) throws InterruptedException {
    if (!busy.add(fid)) {
      return false;
    }
    try {
      Plan plan = core.read(view -> {
        Plan p = plan(view, fid, Set.of());
        if (p == null || !p.fid().getDeviceIdsList().contains(from) || p.fid().getDeviceIdsList().contains(to)
            || queuedForDeletion(view, fid).contains(to)) {
          return null;
        }
        DeviceRecord d = view.device(to);
        HostRecord h = d == null ? null : view.host(d.getHostId());
        if (h == null) {
          return null;
        }
        p.addresses().put(to, h.getAddress());
        return p;
      });
      if (plan == null) {
        return false;
      }
      pace.acquire(plan.fid().getLength());
      try {
        replicate(plan, from, to);
      } catch (RuntimeException e) {
        LOG.info("moving fid {} from device {} to {} failed: {}", Long.toUnsignedString(fid), from, to,
            MogulException.from(e).getMessage());
        return false;
      }
      try {
        propose(AddFileLocation.prepare(AddLocation.newBuilder().setFid(fid).setDeviceId(to)
            .setReplacesDeviceId(from).setRebalance(true).build(), System.currentTimeMillis()));
      } catch (MogulException e) {
        LOG.info("recording move of fid {} to device {} failed: {}", Long.toUnsignedString(fid), to, e.getMessage());
        discardUnrecorded(plan, fid, to, e);
        return false;
      }
      return true;
    } finally {
      busy.remove(fid);
    }
  }

  private static List<Integer> queuedForDeletion(MetaView view, long fid) {
    DeletionRecord queued = view.deletion(fid);
    return queued == null ? List.of() : queued.getDeviceIdsList();
  }

  private static long fileCount(MetaView view, int deviceId) {
    DeviceRecord d = view.device(deviceId);
    return d == null ? 0 : view.tally(d).getFileCount();
  }

  private boolean removeLocation(long fid, int deviceId) {
    try {
      propose(RemoveFileLocation.prepare(fid, deviceId, System.currentTimeMillis()));
      return true;
    } catch (MogulException e) {
      LOG.info("dropping location {} of fid {} failed: {}", deviceId, Long.toUnsignedString(fid), e.getMessage());
      return false;
    }
  }

  /** Best effort: a blob that stays behind is an orphan and the orphan collector removes it later. */
  private void deleteBlob(String address, long fid, int deviceId) {
    if (address == null) {
      return;
    }
    try {
      clients.stub(address, 10_000).delete(BlobRef.newBuilder().setFid(fid).setDeviceId(deviceId).build());
    } catch (RuntimeException e) {
      LOG.info("deleting blob of fid {} on device {} failed (left to the orphan collector): {}",
          Long.toUnsignedString(fid), deviceId, MogulException.from(e).getMessage());
    }
  }

  void propose(io.mogul.proto.meta.Command command) {
    await(core.proposePrepared(command));
  }

  /** Waits for a proposal's outcome within the proposal timeout; its failure as a MogulException. */
  void await(CompletableFuture<CommandResult> proposal) {
    try {
      proposal.get(PROPOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw MogulException.from(e.getCause());
    } catch (TimeoutException e) {
      throw new MogulException(ErrorReason.UNAVAILABLE, "proposal timed out");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MogulException(ErrorReason.UNAVAILABLE, "interrupted");
    }
  }

  /**
   * Deletes a copy whose location could not be recorded, but only when the proposal was
   * definitely rejected. A timeout or a leader change leaves the outcome open: the location
   * may have committed, so the blob stays; if it did not, the orphan collector removes it
   * once the grace period has passed.
   */
  private void discardUnrecorded(Plan plan, long fid, int device, MogulException why) {
    if (!why.retriable() && why.reason() != ErrorReason.INTERNAL) {
      deleteBlob(plan.addresses().get(device), fid, device);
    }
  }
}
