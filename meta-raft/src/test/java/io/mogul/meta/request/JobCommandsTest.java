package io.mogul.meta.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FileInfo;
import io.mogul.proto.FileKey;
import io.mogul.proto.FsckLogEntry;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.RebalanceOutcome;
import io.mogul.proto.RebalanceStatus;
import io.mogul.proto.SetDeviceStateRequest;
import io.mogul.proto.meta.AddLocation;
import io.mogul.proto.meta.FsckAction;
import io.mogul.proto.meta.FsckProgress;
import io.mogul.proto.meta.OpenUpload;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The log commands of the background jobs: locations, the deletion queue, fsck and rebalance state. */
@Timeout(30)
class JobCommandsTest {
  @TempDir Path dir;
  Fixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new Fixture(dir, 5);
    f.domain("d");
    f.host("h1", "", 1);
    f.host("h2", "", 1);
    f.host("h3", "", 1);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private int spareDevice(FileInfo file) {
    for (int id = 1; id <= 3; id++) {
      final int candidate = id;
      if (file.getLocationsList().stream().noneMatch(l -> l.getDeviceId() == candidate)) {
        return id;
      }
    }
    throw new AssertionError("no spare device for " + file);
  }

  private long fileCount(int deviceId) {
    return f.view().tally(f.view().device(deviceId)).getFileCount();
  }

  @Test
  void addedLocationIsRecordedAndCountedOnItsDevice() {
    FileInfo file = f.put("d", "k", 10);
    int spare = spareDevice(file);
    f.ok(AddFileLocation.prepare(AddLocation.newBuilder().setFid(file.getFid()).setDeviceId(spare).build(), f.now));
    assertTrue(f.view().fid(file.getFid()).getDeviceIdsList().contains(spare));
    assertEquals(1, fileCount(spare));
    f.fails(ErrorReason.INVALID_ARGUMENT,
        AddFileLocation.prepare(AddLocation.newBuilder().setFid(file.getFid()).setDeviceId(spare).build(), f.now));
  }

  @Test
  void moveReplacesTheOldLocationAndCountsAsRebalance() {
    FileInfo file = f.put("d", "k", 10);
    int from = file.getLocations(0).getDeviceId();
    int to = spareDevice(file);
    f.ok(AddFileLocation.prepare(AddLocation.newBuilder().setFid(file.getFid()).setDeviceId(to)
        .setReplacesDeviceId(from).setRebalance(true).build(), f.now));
    List<Integer> devices = f.view().fid(file.getFid()).getDeviceIdsList();
    assertEquals(2, devices.size());
    assertTrue(devices.contains(to) && !devices.contains(from), devices.toString());
    assertEquals(0, fileCount(from));
    assertEquals(List.of(from), f.view().deletion(file.getFid()).getDeviceIdsList(), "old blob queued for the GC");
    RebalanceStatus r = JobRecords.rebalance(f.view());
    assertEquals(1, r.getMovedFiles());
    assertEquals(10, r.getMovedBytes());
  }

  @Test
  void copyOfADeletedFidIsRefusedWithoutChangingState() {
    FileInfo file = f.put("d", "k", 10);
    f.ok(DeleteFile.prepare(FileKey.newBuilder().setDomain("d").setKey("k").build(), f));
    f.fails(ErrorReason.UNKNOWN_FID, AddFileLocation.prepare(AddLocation.newBuilder().setFid(file.getFid())
        .setDeviceId(spareDevice(file)).build(), f.now));
  }

  @Test
  void lastLocationIsKeptUnlessItsDeviceIsDead() {
    FileInfo file = f.put("d", "k", 10);
    int a = file.getLocations(0).getDeviceId();
    int b = file.getLocations(1).getDeviceId();
    f.ok(RemoveFileLocation.prepare(file.getFid(), a, f.now));
    assertEquals(List.of(b), f.view().fid(file.getFid()).getDeviceIdsList());
    f.ok(RemoveFileLocation.prepare(file.getFid(), a, f.now)); // repeated: no-op
    f.fails(ErrorReason.INVALID_STATE_CHANGE, RemoveFileLocation.prepare(file.getFid(), b, f.now));
    f.ok(SetDeviceState.prepare(SetDeviceStateRequest.newBuilder().setDeviceId(b)
        .setState(DeviceState.DEVICE_DEAD).build(), f));
    f.ok(RemoveFileLocation.prepare(file.getFid(), b, f.now));
    assertTrue(f.view().fid(file.getFid()).getDeviceIdsList().isEmpty());
    assertEquals(0, fileCount(b));
  }

  @Test
  void droppedLocationQueuesItsBlobForDeletionUnlessItsDeviceIsDead() {
    FileInfo file = f.put("d", "k", 10);
    int a = file.getLocations(0).getDeviceId();
    int b = file.getLocations(1).getDeviceId();
    f.ok(RemoveFileLocation.prepare(file.getFid(), a, f.now));
    assertEquals(List.of(a), f.view().deletion(file.getFid()).getDeviceIdsList());
    f.ok(FinishDeletion.prepare(file.getFid(), List.of(a), f.now));
    assertNull(f.view().deletion(file.getFid()));
    f.ok(SetDeviceState.prepare(SetDeviceStateRequest.newBuilder().setDeviceId(b)
        .setState(DeviceState.DEVICE_DEAD).build(), f));
    f.ok(RemoveFileLocation.prepare(file.getFid(), b, f.now));
    assertNull(f.view().deletion(file.getFid()), "a dead device's blob needs no deleting");
  }

  @Test
  void copyOnADeviceStillQueuedForDeletionIsRefusedUntilTheGcConfirms() {
    FileInfo file = f.put("d", "k", 10);
    int a = file.getLocations(0).getDeviceId();
    f.ok(RemoveFileLocation.prepare(file.getFid(), a, f.now));
    AddLocation back = AddLocation.newBuilder().setFid(file.getFid()).setDeviceId(a).build();
    f.fails(ErrorReason.INVALID_STATE_CHANGE, AddFileLocation.prepare(back, f.now));
    assertFalse(f.view().fid(file.getFid()).getDeviceIdsList().contains(a));
    f.ok(FinishDeletion.prepare(file.getFid(), List.of(a), f.now));
    f.ok(AddFileLocation.prepare(back, f.now));
    assertTrue(f.view().fid(file.getFid()).getDeviceIdsList().contains(a));
  }

  @Test
  void deletingAFileKeepsTheDropsAlreadyQueuedForItsFid() {
    FileInfo file = f.put("d", "k", 10);
    int a = file.getLocations(0).getDeviceId();
    int b = file.getLocations(1).getDeviceId();
    int c = spareDevice(file);
    f.ok(AddFileLocation.prepare(AddLocation.newBuilder().setFid(file.getFid()).setDeviceId(c).build(), f.now));
    f.ok(RemoveFileLocation.prepare(file.getFid(), a, f.now));
    f.ok(DeleteFile.prepare(FileKey.newBuilder().setDomain("d").setKey("k").build(), f));
    List<Integer> queued = f.view().deletion(file.getFid()).getDeviceIdsList();
    assertEquals(3, queued.size(), queued.toString());
    assertTrue(queued.containsAll(List.of(a, b, c)), queued.toString());
  }

  @Test
  void repairEpochMovesForAShortWriteAndAStateChangeButNotForACompleteWrite() {
    long start = RepairEpoch.of(f.view());
    FileInfo file = f.put("d", "full", 10);
    assertEquals(start, RepairEpoch.of(f.view()), "a write with every copy needs no repair");
    OpenUpload open = f.open("d", "short");
    f.ok(CreateClose.prepare(f.closeOf(open, 10).clearDeviceIds().addDeviceIds(open.getDeviceIds(0)).build(), f));
    long afterShort = RepairEpoch.of(f.view());
    assertTrue(afterShort > start, "a write that ended short moves the epoch");
    f.fails(ErrorReason.INVALID_STATE_CHANGE, RemoveFileLocation.prepare(open.getFid(), open.getDeviceIds(0), f.now));
    assertEquals(afterShort, RepairEpoch.of(f.view()), "a refused command moves nothing");
    f.ok(SetDeviceState.prepare(SetDeviceStateRequest.newBuilder().setDeviceId(file.getLocations(0).getDeviceId())
        .setState(DeviceState.DEVICE_DRAIN).build(), f));
    assertTrue(RepairEpoch.of(f.view()) > afterShort, "a device state change moves the epoch");
  }

  @Test
  void deletionEntryGoesOnceEveryDeviceIsDone() {
    FileInfo file = f.put("d", "k", 10);
    f.ok(DeleteFile.prepare(FileKey.newBuilder().setDomain("d").setKey("k").build(), f));
    int a = file.getLocations(0).getDeviceId();
    int b = file.getLocations(1).getDeviceId();
    f.ok(FinishDeletion.prepare(file.getFid(), List.of(a), f.now));
    assertEquals(List.of(b), f.view().deletion(file.getFid()).getDeviceIdsList());
    f.ok(FinishDeletion.prepare(file.getFid(), List.of(b), f.now));
    assertNull(f.view().deletion(file.getFid()));
    f.ok(FinishDeletion.prepare(file.getFid(), List.of(b), f.now)); // repeated: no-op
  }

  private static FsckProgress.Builder batch(FsckStatus state, long to) {
    return FsckProgress.newBuilder().setPassStartedMs(state.getStartedMs()).setFromCursor(state.getCursor())
        .setToCursor(to).setFidsChecked(to - state.getCursor()).setCopiesChecked(2 * (to - state.getCursor()));
  }

  @Test
  void fsckBatchIsCountedOnceAndAStaleBatchIsRefused() {
    FsckStatus started = f.ok(ControlFsck.prepare(FsckAction.FSCK_START, f)).getFsck();
    assertTrue(started.getRunning());
    FsckProgress first = batch(started, 10).addFindings(FsckLogEntry.newBuilder().setFid(7).setDeviceId(2)
        .setCode("BCSUM")).addFindings(FsckLogEntry.newBuilder().setFid(7).setDeviceId(3).setCode("REPL"))
        .setRepairs(1).build();
    FsckStatus after = f.ok(RecordFsckProgress.prepare(first, f.now)).getFsck();
    assertEquals(10, after.getCursor());
    assertEquals(10, after.getFidsChecked());
    assertEquals(1, after.getProblems());
    assertEquals(1, after.getRepairs());
    assertEquals(2, after.getLogEntries());
    // The same batch again (a new leader repeating it) does not continue the pass.
    f.fails(ErrorReason.INVALID_STATE_CHANGE, RecordFsckProgress.prepare(first, f.now));
    FsckStatus done = f.ok(RecordFsckProgress.prepare(batch(after, 20).setFinished(true).build(), f.now)).getFsck();
    assertEquals(20, done.getFidsChecked());
    assertTrue(done.getFinished());
    assertFalse(done.getRunning());
    List<FsckLogEntry> log = JobRecords.fsckLog(f.view(), 0, 100);
    assertEquals(List.of("BCSUM", "REPL"), log.stream().map(FsckLogEntry::getCode).toList());
    assertEquals(List.of(1L, 2L), log.stream().map(FsckLogEntry::getSeq).toList());
    assertEquals(1, JobRecords.fsckLog(f.view(), 1, 100).size());
  }

  @Test
  void fsckStopResumesWhereItWasAndResetForgetsEverything() {
    FsckStatus started = f.ok(ControlFsck.prepare(FsckAction.FSCK_START, f)).getFsck();
    FsckStatus mid = f.ok(RecordFsckProgress.prepare(batch(started, 5)
        .addFindings(FsckLogEntry.newBuilder().setFid(3).setCode("MISS")).build(), f.now)).getFsck();
    f.ok(ControlFsck.prepare(FsckAction.FSCK_STOP, f));
    f.fails(ErrorReason.INVALID_STATE_CHANGE, RecordFsckProgress.prepare(batch(mid, 6).build(), f.now));
    f.now += 1000;
    FsckStatus resumed = f.ok(ControlFsck.prepare(FsckAction.FSCK_START, f)).getFsck();
    assertEquals(5, resumed.getCursor());
    assertEquals(started.getStartedMs(), resumed.getStartedMs());
    FsckStatus reset = f.ok(ControlFsck.prepare(FsckAction.FSCK_RESET, f)).getFsck();
    assertFalse(reset.getRunning());
    assertEquals(0, reset.getCursor());
    assertTrue(JobRecords.fsckLog(f.view(), 0, 100).isEmpty());
  }

  @Test
  void fsckClearLogEmptiesTheLogKeepsThePassAndNeverReusesASequenceNumber() {
    FsckStatus started = f.ok(ControlFsck.prepare(FsckAction.FSCK_START, f)).getFsck();
    FsckStatus mid = f.ok(RecordFsckProgress.prepare(batch(started, 5)
        .addFindings(FsckLogEntry.newBuilder().setFid(3).setCode("MISS"))
        .addFindings(FsckLogEntry.newBuilder().setFid(4).setCode("REPL")).setRepairs(1).build(), f.now)).getFsck();
    assertEquals(2, mid.getLogEntries());
    f.now += 1000;
    FsckStatus cleared = f.ok(ControlFsck.prepare(FsckAction.FSCK_CLEAR_LOG, f)).getFsck();
    assertTrue(JobRecords.fsckLog(f.view(), 0, 100).isEmpty());
    assertEquals(0, cleared.getLogEntries());
    assertEquals(mid.toBuilder().setLogEntries(0).setUpdatedMs(f.now).build(), cleared,
        "clearing the log must leave the pass running with its cursor and counters");
    assertEquals(cleared, JobRecords.fsck(f.view()));
    // The pass goes on from where it was, and new findings do not reuse cleared numbers.
    FsckStatus later = f.ok(RecordFsckProgress.prepare(batch(cleared, 9)
        .addFindings(FsckLogEntry.newBuilder().setFid(8).setCode("BLEN")).build(), f.now)).getFsck();
    assertEquals(9, later.getCursor());
    assertEquals(2, later.getProblems());
    assertEquals(1, later.getLogEntries());
    assertEquals(List.of(3L), JobRecords.fsckLog(f.view(), 0, 100).stream().map(FsckLogEntry::getSeq).toList());
  }

  @Test
  void rebalanceStartResetsCountersAndReachingTheSpreadStopsIt() {
    RebalanceStatus started = f.ok(ControlRebalance.prepare(true, false, f.now)).getRebalance();
    assertTrue(started.getRunning());
    RebalanceStatus done = f.ok(ControlRebalance.prepare(false, true, f.now + 5)).getRebalance();
    assertFalse(done.getRunning());
    assertEquals(f.now + 5, done.getFinishedMs());
  }

  @Test
  void balancedRunRecordsTheOutcomeAndWhenTheSpreadWasReached() {
    RebalanceStatus started = f.ok(ControlRebalance.prepare(true, false, f.now)).getRebalance();
    RebalanceStatus done = f.ok(ControlRebalance.finish(started.getStartedMs(), RebalanceOutcome.REBALANCE_BALANCED,
        "usage within the spread", f.now + 7)).getRebalance();
    assertFalse(done.getRunning());
    assertEquals(RebalanceOutcome.REBALANCE_BALANCED, done.getOutcome());
    assertEquals(f.now + 7, done.getFinishedMs());
    assertEquals(f.now + 7, done.getStoppedMs());
    assertEquals("usage within the spread", done.getDetail());
    RebalanceStatus again = f.ok(ControlRebalance.prepare(true, false, f.now + 9)).getRebalance();
    assertTrue(again.getRunning());
    assertEquals(RebalanceOutcome.REBALANCE_OUTCOME_UNSPECIFIED, again.getOutcome(), "a new run has no outcome yet");
    assertEquals(0, again.getFinishedMs());
    assertEquals("", again.getDetail());
  }

  @Test
  void nothingMovableStopsTheRunWithoutClaimingTheSpread() {
    RebalanceStatus started = f.ok(ControlRebalance.prepare(true, false, f.now)).getRebalance();
    RebalanceStatus done = f.ok(ControlRebalance.finish(started.getStartedMs(),
        RebalanceOutcome.REBALANCE_NOTHING_MOVABLE, "every file already has a copy on the target", f.now + 3))
        .getRebalance();
    assertFalse(done.getRunning());
    assertEquals(RebalanceOutcome.REBALANCE_NOTHING_MOVABLE, done.getOutcome());
    assertEquals(0, done.getFinishedMs(), "the spread was not reached");
    assertEquals(f.now + 3, done.getStoppedMs());
    assertEquals("every file already has a copy on the target", done.getDetail());
  }

  @Test
  void leadersNoteForAnEarlierRunChangesNothing() {
    RebalanceStatus first = f.ok(ControlRebalance.prepare(true, false, f.now)).getRebalance();
    f.ok(ControlRebalance.prepare(false, false, f.now + 1));
    RebalanceStatus second = f.ok(ControlRebalance.prepare(true, false, f.now + 2)).getRebalance();
    RebalanceStatus after = f.ok(ControlRebalance.finish(first.getStartedMs(), RebalanceOutcome.REBALANCE_BALANCED,
        "measured in the first run", f.now + 3)).getRebalance();
    assertEquals(second, after, "the second run goes on");
    assertEquals(second, JobRecords.rebalance(f.view()));
  }

  @Test
  void adminStopOfARunningRebalanceIsRecordedAsSuch() {
    f.ok(ControlRebalance.prepare(true, false, f.now));
    RebalanceStatus stopped = f.ok(ControlRebalance.prepare(false, false, f.now + 4)).getRebalance();
    assertFalse(stopped.getRunning());
    assertEquals(RebalanceOutcome.REBALANCE_STOPPED_BY_ADMIN, stopped.getOutcome());
    assertEquals(0, stopped.getFinishedMs());
    assertEquals(f.now + 4, stopped.getStoppedMs());
    assertEquals(stopped, f.ok(ControlRebalance.prepare(false, false, f.now + 8)).getRebalance(),
        "stopping a stopped rebalance changes nothing");
  }
}
