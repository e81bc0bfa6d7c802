package io.mogul.meta.jobs;

import io.mogul.common.MogulException;
import io.mogul.meta.request.FinishDeletion;
import io.mogul.meta.service.TrackerCore;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreException;
import io.mogul.meta.store.Table;
import io.mogul.proto.BlobRef;
import io.mogul.proto.DeviceState;
import io.mogul.proto.HostState;
import io.mogul.proto.ListBlobsRequest;
import io.mogul.proto.ListBlobsResponse;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.DeletionRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.HostRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delete GC. Works off the deletion queue (deleted, replaced and expired-open fids): each
 * queued blob is deleted on its datanode and the device taken off the entry through Raft;
 * a blob on an unreachable device stays queued and is retried in a later round, one on a
 * dead device needs no deleting. Then looks at one device's blobs per round for orphans:
 * blobs older than the orphan grace period that no live fid, open upload or queued
 * deletion accounts for on that device, at most one page of blobs a second.
 */
final class DeletionJob {
  private static final Logger LOG = LoggerFactory.getLogger(DeletionJob.class);
  static final int QUEUE_LIMIT = 512;
  static final int ORPHAN_PAGE = 1000;
  static final long ORPHAN_PAGE_INTERVAL_NANOS = 1_000_000_000L;

  private final TrackerCore core;
  private final JobSettings settings;
  private final DatanodeClients clients;
  private final FileRepair repair;
  private final Map<Integer, Long> orphanCursor = new HashMap<>();
  private int orphanDevice;
  private long nextOrphanPageNanos;

  DeletionJob(TrackerCore core, JobSettings settings, DatanodeClients clients, FileRepair repair) {
    this.core = core;
    this.settings = settings;
    this.clients = clients;
    this.repair = repair;
  }

  private record Target(int deviceId, String address, boolean gone) {}

  private record Queued(DeletionRecord record, List<Target> targets) {}

  void round() {
    if (!settings.flag("deletion.enabled")) {
      return;
    }
    drainQueue();
    collectOrphans();
  }

  private void drainQueue() {
    long due = System.currentTimeMillis() - settings.number("deletion.delay_seconds") * 1000;
    List<Queued> queued = core.read(view -> {
      List<Queued> out = new ArrayList<>();
      view.kv().scan(Table.DELETIONS, new byte[0], null, (k, v) -> {
        DeletionRecord r;
        try {
          r = DeletionRecord.parseFrom(v);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw new StoreException("corrupt deletion record", e);
        }
        if (r.getQueuedMs() <= due) {
          List<Target> targets = new ArrayList<>();
          for (int id : r.getDeviceIdsList()) {
            targets.add(target(view, id));
          }
          out.add(new Queued(r, targets));
        }
        return out.size() < QUEUE_LIMIT;
      });
      return out;
    });
    // Clearing proposals go out together so the batcher can put many in one log entry.
    Map<Long, CompletableFuture<CommandResult>> clearing = new LinkedHashMap<>();
    for (Queued q : queued) {
      long fid = q.record().getFid();
      List<Integer> done = new ArrayList<>();
      for (Target t : q.targets()) {
        if (t.gone()) {
          done.add(t.deviceId());
        } else if (core.observations().reachable(t.deviceId())) {
          try {
            clients.stub(t.address(), 10_000)
                .delete(BlobRef.newBuilder().setFid(fid).setDeviceId(t.deviceId()).build());
            done.add(t.deviceId());
          } catch (RuntimeException e) {
            LOG.info("deleting fid {} on device {} failed, will retry: {}", Long.toUnsignedString(fid), t.deviceId(),
                MogulException.from(e).getMessage());
          }
        }
      }
      if (!done.isEmpty() || q.targets().isEmpty()) {
        clearing.put(fid, core.proposePrepared(FinishDeletion.prepare(fid, done, System.currentTimeMillis())));
      }
    }
    for (Map.Entry<Long, CompletableFuture<CommandResult>> c : clearing.entrySet()) {
      try {
        repair.await(c.getValue());
      } catch (MogulException e) {
        LOG.info("clearing deletion of fid {} failed, will retry: {}", Long.toUnsignedString(c.getKey()),
            e.getMessage());
      }
    }
  }

  private static Target target(MetaView view, int deviceId) {
    DeviceRecord d = view.device(deviceId);
    HostRecord h = d == null ? null : view.host(d.getHostId());
    boolean gone = d == null || h == null || d.getState() == DeviceState.DEVICE_DEAD
        || h.getState() == HostState.HOST_DEAD;
    return new Target(deviceId, h == null ? null : h.getAddress(), gone);
  }

  /** Pages through the blobs of one reachable device per round, deleting old unaccounted ones. */
  private void collectOrphans() {
    if (System.nanoTime() < nextOrphanPageNanos) {
      return;
    }
    // Listing makes the datanode read blob headers: one page at a time, unhurried.
    nextOrphanPageNanos = System.nanoTime() + ORPHAN_PAGE_INTERVAL_NANOS;
    long graceMs = settings.number("deletion.orphan_grace_seconds") * 1000;
    List<Target> devices = core.read(view -> {
      List<Target> out = new ArrayList<>();
      for (DeviceRecord d : view.devices()) {
        Target t = target(view, d.getDeviceId());
        if (!t.gone() && core.observations().reachable(d.getDeviceId())) {
          out.add(t);
        }
      }
      return out;
    });
    if (devices.isEmpty()) {
      return;
    }
    Target device = devices.get(Math.floorMod(orphanDevice, devices.size()));
    long after = orphanCursor.getOrDefault(device.deviceId(), 0L);
    ListBlobsResponse page;
    try {
      page = clients.stub(device.address(), 10_000).listFids(ListBlobsRequest.newBuilder()
          .setDeviceId(device.deviceId()).setAfterFid(after).setLimit(ORPHAN_PAGE).build());
    } catch (RuntimeException e) {
      LOG.info("listing blobs of device {} failed: {}", device.deviceId(), MogulException.from(e).getMessage());
      orphanDevice++;
      return;
    }
    OrphanBlobs.collect(page.getBlobsList(), System.currentTimeMillis(), graceMs,
        fid -> repair.busy(fid) || core.read(view -> {
          FidRecord live = view.fid(fid);
          return (live != null && live.getDeviceIdsList().contains(device.deviceId()))
              || view.upload(fid) != null || core.uploads().get(fid) != null || view.deletion(fid) != null;
        }),
        fid -> {
          try {
            clients.stub(device.address(), 10_000).delete(BlobRef.newBuilder().setFid(fid)
                .setDeviceId(device.deviceId()).build());
            LOG.info("deleted orphan blob of fid {} on device {}", Long.toUnsignedString(fid), device.deviceId());
          } catch (RuntimeException e) {
            LOG.info("deleting orphan fid {} on device {} failed: {}", Long.toUnsignedString(fid),
                device.deviceId(), MogulException.from(e).getMessage());
          }
        });
    if (page.getNextAfter() == 0) {
      orphanCursor.remove(device.deviceId());
      orphanDevice++;
    } else {
      orphanCursor.put(device.deviceId(), page.getNextAfter());
    }
  }
}
