package io.mogul.meta.jobs;

import io.mogul.common.MogulException;
import io.mogul.meta.jobs.CopyStates.Copy;
import io.mogul.meta.request.JobRecords;
import io.mogul.meta.request.RecordFsckProgress;
import io.mogul.meta.service.TrackerCore;
import io.mogul.proto.BlobRef;
import io.mogul.proto.FsckLogEntry;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.VerifyResponse;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.FileRecord;
import io.mogul.proto.meta.FsckProgress;
import io.mogul.proto.meta.HostRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background file check. Walks the live fids in order from the replicated cursor; for
 * each verifies every copy on its datanode (present, right length, checksum recomputed
 * from disk), repairs what it found (a new copy from a good one, then the bad location
 * dropped and its blob deleted) and commits the batch's cursor, counters and findings in
 * one command. A batch is committed right after any fid with findings, so repairs and
 * their log entries are never far apart; a batch that did not commit before a leader
 * change is checked again by the next leader, and one that did is never checked twice.
 */
final class FsckJob {
  private static final Logger LOG = LoggerFactory.getLogger(FsckJob.class);
  static final int MAX_BATCH = 100;

  private final TrackerCore core;
  private final JobSettings settings;
  private final DatanodeClients clients;
  private final FileRepair repair;
  private final Throttle pace;

  FsckJob(TrackerCore core, JobSettings settings, DatanodeClients clients, FileRepair repair) {
    this.core = core;
    this.settings = settings;
    this.clients = clients;
    this.repair = repair;
    this.pace = new Throttle(() -> settings.number("fsck.fids_per_second"));
  }

  private record Copies(FidRecord fid, FileRecord file, int min, Map<Integer, Copy> states,
                        Map<Integer, String> addresses) {}

  private final class Batch {
    final FsckStatus state;
    long cursor;
    long fids;
    long copies;
    long repairs;
    final List<FsckLogEntry> findings = new ArrayList<>();

    Batch(FsckStatus state) {
      this.state = state;
      this.cursor = state.getCursor();
    }

    /** Commits the batch; false when it no longer continues the pass (stopped, reset or already done). */
    boolean commit(boolean finished) {
      FsckProgress p = FsckProgress.newBuilder().setPassStartedMs(state.getStartedMs())
          .setFromCursor(state.getCursor()).setToCursor(cursor).setFinished(finished).setFidsChecked(fids)
          .setCopiesChecked(copies).setRepairs(repairs).addAllFindings(findings).build();
      try {
        repair.propose(RecordFsckProgress.prepare(p, System.currentTimeMillis()));
        return true;
      } catch (MogulException e) {
        LOG.info("fsck batch up to fid {} not recorded: {}", Long.toUnsignedString(cursor), e.getMessage());
        return false;
      }
    }
  }

  /** Checks and commits one batch of fids when a pass is running. */
  void round() throws InterruptedException {
    FsckStatus state = core.read(JobRecords::fsck);
    if (!state.getRunning()) {
      return;
    }
    long rate = settings.number("fsck.fids_per_second");
    int size = (int) (rate == 0 ? MAX_BATCH : Math.max(1, Math.min(MAX_BATCH, rate)));
    List<FidRecord> page = core.read(view -> FidScan.after(view, state.getCursor(), size));
    Batch batch = new Batch(state);
    for (int i = 0; i < page.size(); i++) {
      pace.acquire(1);
      FidRecord r = page.get(i);
      boolean found = check(r.getFid(), batch);
      batch.fids++;
      batch.cursor = r.getFid();
      boolean last = i == page.size() - 1;
      if (found && !last) {
        if (!batch.commit(false)) {
          return;
        }
        // Continue the page with a fresh batch from the cursor just committed.
        FsckStatus now = core.read(JobRecords::fsck);
        if (!now.getRunning() || now.getCursor() != r.getFid()) {
          return;
        }
        batch = new Batch(now);
      }
    }
    batch.commit(page.size() < size);
  }

  /** Verifies one fid's copies and repairs it; true when it logged findings. */
  private boolean check(long fidId, Batch batch) throws InterruptedException {
    Copies c = core.read(view -> {
      FidRecord fid = view.fid(fidId);
      FileRecord file = fid == null ? null : view.file(fid.getDomain(), fid.getKey());
      if (fid == null || file == null || file.getFid() != fidId) {
        return null;
      }
      ClassRecord cls = view.storageClass(fid.getDomain(), fid.getStorageClass());
      Map<Integer, Copy> states = new LinkedHashMap<>();
      Map<Integer, String> addresses = new LinkedHashMap<>();
      for (int id : fid.getDeviceIdsList()) {
        states.put(id, repair.states().of(view, id));
        DeviceRecord d = view.device(id);
        HostRecord h = d == null ? null : view.host(d.getHostId());
        if (h != null) {
          addresses.put(id, h.getAddress());
        }
      }
      return new Copies(fid, file, cls == null ? 0 : cls.getMindevcount(), states, addresses);
    });
    if (c == null) {
      return false; // deleted or replaced since the page was read
    }
    int before = batch.findings.size();
    Set<Integer> bad = new HashSet<>();
    int good = 0;
    for (Map.Entry<Integer, Copy> e : c.states().entrySet()) {
      int device = e.getKey();
      if (e.getValue() == Copy.DEAD) {
        continue;
      }
      if (e.getValue() == Copy.PENDING || e.getValue() == Copy.LOST) {
        batch.findings.add(finding(c, device, "UNRE", "device not reachable; copy not checked"));
        continue;
      }
      batch.copies++;
      VerifyResponse v;
      try {
        v = clients.stub(c.addresses().get(device), 60_000)
            .verify(BlobRef.newBuilder().setFid(fidId).setDeviceId(device).build());
      } catch (RuntimeException ex) {
        batch.findings.add(finding(c, device, "UNRE", "verify failed: " + MogulException.from(ex).getMessage()));
        continue;
      }
      if (!v.getExists()) {
        bad.add(device);
        batch.findings.add(finding(c, device, "MISS", "copy missing on its device"));
      } else if (v.getLength() != c.fid().getLength()) {
        bad.add(device);
        batch.findings.add(finding(c, device, "BLEN", "length " + v.getLength() + ", expected " + c.fid().getLength()));
      } else if (!v.getOk() || v.getComputedCrc32C() != c.file().getCrc32C()) {
        bad.add(device);
        batch.findings.add(finding(c, device, "BCSUM", String.format("crc32c %08x, expected %08x",
            v.getComputedCrc32C(), c.file().getCrc32C())));
      } else {
        good++;
      }
    }
    int counted = (int) c.states().values().stream().filter(s -> s == Copy.GOOD || s == Copy.PENDING).count()
        - bad.size();
    if (bad.isEmpty() && counted < c.min()) {
      batch.findings.add(finding(c, 0, "POVI", counted + " counted copies, mindevcount " + c.min()));
    }
    if (!bad.isEmpty() || counted < c.min()) {
      for (FileRepair.Action a : repair.repair(fidId, bad)) {
        batch.findings.add(finding(c, a.deviceId(), a.code(), a.detail()));
        if (!a.code().equals("NOPA")) {
          batch.repairs++;
        }
      }
      if (good == 0 && !bad.isEmpty() && batch.findings.stream().noneMatch(f -> f.getCode().equals("NOPA"))) {
        batch.findings.add(finding(c, 0, "NOPA", "no good copy found"));
      }
    }
    return batch.findings.size() > before;
  }

  private static FsckLogEntry finding(Copies c, int device, String code, String detail) {
    return FsckLogEntry.newBuilder().setFid(c.fid().getFid()).setDeviceId(device).setCode(code).setDetail(detail)
        .setDomain(c.fid().getDomain()).setKey(c.fid().getKey()).build();
  }
}
