package io.mogul.meta.service;

import io.mogul.meta.config.TrackerConfig;
import io.mogul.meta.placement.DeviceObservations;
import io.mogul.meta.request.ExpireUploads;
import io.mogul.meta.request.RememberedRequests;
import io.mogul.meta.request.RecordDeviceUsage;
import io.mogul.meta.store.Table;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.DeviceUsage;
import io.mogul.proto.meta.DeviceUsageItem;
import io.mogul.proto.meta.ExpiredUploads;
import io.mogul.proto.meta.OpenUpload;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic work only the leader does: expiring open uploads, and persisting observed device
 * capacity/usage when it moved noticeably or the persisted value grew old (never one log
 * entry per heartbeat). Every tracker also keeps the others' feature levels known
 * ({@link PeerStatuses}).
 */
public final class LeaderDuties implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderDuties.class);

  /** How often every tracker asks the others for their feature levels. */
  static final long PEER_LEVELS_SECONDS = 5;

  private final TrackerCore core;
  private final ScheduledExecutorService timer;
  private final Map<Integer, Long> persistedAt = new ConcurrentHashMap<>();

  public LeaderDuties(TrackerCore core) {
    this.core = core;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "leader-duties-" + core.config().id);
      t.setDaemon(true);
      return t;
    });
    TrackerConfig config = core.config();
    long expiry = Math.max(1, config.uploads.expiryCheckSeconds);
    timer.scheduleWithFixedDelay(this::expireUploads, expiry, expiry, TimeUnit.SECONDS);
    long usage = Math.max(1, config.monitor.usageCheckSeconds);
    timer.scheduleWithFixedDelay(this::persistUsage, usage, usage, TimeUnit.SECONDS);
    // On every tracker, so that whichever becomes leader knows the levels of the others.
    timer.scheduleWithFixedDelay(core.peers()::all, 0, PEER_LEVELS_SECONDS, TimeUnit.SECONDS);
  }

  private void expireUploads() {
    try {
      long now = System.currentTimeMillis();
      int limit = ExpireUploads.DEFAULT_LIMIT;
      List<OpenUpload> held = core.uploads().expired(now, limit);
      if (!core.raft().isLeader()) {
        // Only the leader's closes find the uploads it holds: those issued while this
        // tracker led can no longer be closed, and their blobs are left to the orphan GC.
        core.uploads().releaseAll(held);
        return;
      }
      boolean any = !held.isEmpty() || core.read(view -> {
        boolean[] found = {false};
        view.kv().scan(Table.UPLOADS, new byte[0], null, (k, v) -> {
          try {
            found[0] = OpenUpload.parseFrom(v).getExpiresAtMs() <= now;
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new io.mogul.meta.store.StoreException("corrupt upload record", e);
          }
          return !found[0];
        });
        return found[0] || RememberedRequests.anyBefore(view.kv(), now - RememberedRequests.REMEMBER_MS);
      });
      if (any) {
        core.proposePrepared(ExpireUploads.prepare(now, held)).whenComplete((r, e) -> {
          if (e != null) {
            LOG.warn("expiring uploads failed: {}", e.toString());
            return;
          }
          core.uploads().releaseAll(held);
          ExpiredUploads done = r.getExpired();
          boolean backlog = held.size() >= limit || done.getCount() >= limit || done.getForgotten() >= limit;
          if (backlog && !timer.isShutdown()) {
            timer.execute(this::expireUploads);   // a backlog: carry on without waiting for the next check
          }
        });
      }
    } catch (RuntimeException e) {
      LOG.warn("upload expiry check failed", e);
    }
  }

  private void persistUsage() {
    try {
      if (!core.raft().isLeader()) {
        return;
      }
      TrackerConfig.Monitor m = core.config().monitor;
      long now = System.currentTimeMillis();
      DeviceUsage.Builder usage = DeviceUsage.newBuilder();
      Map<Integer, DeviceObservations.Observation> observed = core.observations().allDevices();
      core.read(view -> {
        for (Map.Entry<Integer, DeviceObservations.Observation> e : observed.entrySet()) {
          DeviceRecord d = view.device(e.getKey());
          DeviceObservations.Observation o = e.getValue();
          if (d == null) {
            continue;
          }
          boolean differs = d.getCapacityBytes() != o.capacityBytes() || d.getUsedBytes() != o.usedBytes()
              || d.getReserveBytes() != o.reserveBytes();
          if (!differs) {
            continue;
          }
          double threshold = m.usageChangeRatio * Math.max(1, o.capacityBytes());
          boolean moved = d.getCapacityBytes() != o.capacityBytes()
              || Math.abs(d.getUsedBytes() - o.usedBytes()) > threshold;
          boolean old = now - persistedAt.getOrDefault(e.getKey(), 0L) > m.usageMaxAgeSeconds * 1000;
          if (moved || old) {
            usage.addDevices(DeviceUsageItem.newBuilder().setDeviceId(e.getKey()).setCapacityBytes(o.capacityBytes())
                .setUsedBytes(o.usedBytes()).setReserveBytes(o.reserveBytes()));
          }
        }
        return null;
      });
      if (usage.getDevicesCount() > 0) {
        DeviceUsage u = usage.build();
        core.proposePrepared(RecordDeviceUsage.prepare(u, now)).whenComplete((r, e) -> {
          if (e != null) {
            LOG.warn("persisting device usage failed: {}", e.toString());
          } else {
            u.getDevicesList().forEach(i -> persistedAt.put(i.getDeviceId(), now));
          }
        });
      }
    } catch (RuntimeException e) {
      LOG.warn("device usage check failed", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
