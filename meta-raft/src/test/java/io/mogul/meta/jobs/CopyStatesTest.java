package io.mogul.meta.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mogul.meta.jobs.CopyStates.Copy;
import io.mogul.meta.placement.DeviceObservations;
import io.mogul.meta.placement.Placement;
import io.mogul.meta.request.CommandApplier;
import io.mogul.meta.request.CreateDevice;
import io.mogul.meta.request.CreateHost;
import io.mogul.meta.request.LeaderContext;
import io.mogul.meta.request.Results;
import io.mogul.meta.request.SetDeviceState;
import io.mogul.meta.store.MetaStore;
import io.mogul.meta.store.MetaView;
import io.mogul.proto.CreateDeviceRequest;
import io.mogul.proto.CreateHostRequest;
import io.mogul.proto.DeviceReport;
import io.mogul.proto.DeviceState;
import io.mogul.proto.HeartbeatRequest;
import io.mogul.proto.SetDeviceStateRequest;
import io.mogul.proto.meta.AppliedPosition;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.LogEntry;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The monitor's view of a copy: missed heartbeats, admin states and the grace period. */
@Timeout(30)
class CopyStatesTest {
  private static final long HEARTBEAT_TIMEOUT_MS = 1_000;
  private static final long GRACE_MS = 5_000;

  @TempDir Path dir;
  private MetaStore store;
  private CommandApplier applier;
  private long now = 1_000_000;
  private long index;
  private DeviceObservations observations;
  private CopyStates states;
  private int hostId;
  private int deviceId;

  private final LeaderContext leader = new LeaderContext() {
    @Override
    public long nowMs() {
      return now;
    }

    @Override
    public long allocateFid() {
      throw new UnsupportedOperationException("no files in this test");
    }

    @Override
    public MetaView view() {
      return new MetaView(store);
    }

    @Override
    public Placement placement() {
      throw new UnsupportedOperationException("no placement in this test");
    }

    @Override
    public long uploadExpiryMs() {
      return 0;
    }

    @Override
    public io.mogul.proto.meta.OpenUpload heldUpload(long fid) {
      return null;
    }
  };

  private CommandResult run(Command command) {
    return Results.orThrow(applier.apply(LogEntry.newBuilder().addCommands(command).build(),
        AppliedPosition.newBuilder().setTerm(1).setIndex(++index).build()).getResults(0));
  }

  @BeforeEach
  void setUp() throws Exception {
    store = MetaStore.open(dir);
    applier = new CommandApplier(store);
    observations = new DeviceObservations(HEARTBEAT_TIMEOUT_MS, () -> now);
    states = new CopyStates(observations, () -> GRACE_MS);
    hostId = run(CreateHost.prepare(CreateHostRequest.newBuilder().setName("h1").setAddress("h1:7500").build(), leader))
        .getHost().getHostId();
    deviceId = run(CreateDevice.prepare(CreateDeviceRequest.newBuilder().setHostId(hostId).build(), leader))
        .getDevice().getDeviceId();
    heartbeat();
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private void heartbeat() {
    heartbeat(hostId, deviceId, true);
  }

  private void heartbeat(int host, int device, boolean healthy) {
    observations.record(HeartbeatRequest.newBuilder().setHostId(host).addDevices(DeviceReport.newBuilder()
        .setDeviceId(device).setCapacityBytes(1L << 30).setHealthy(healthy)).build());
  }

  private Copy copy() {
    return states.of(new MetaView(store), deviceId);
  }

  private void mark(DeviceState state) {
    run(SetDeviceState.prepare(SetDeviceStateRequest.newBuilder().setDeviceId(deviceId).setState(state).build(),
        leader));
  }

  @Test
  void missedHeartbeatsCountUntilTheGracePeriodEnds() {
    assertEquals(Copy.GOOD, copy());
    now += HEARTBEAT_TIMEOUT_MS + 1;
    assertEquals(Copy.PENDING, copy(), "unreachable, within the grace period");
    now += GRACE_MS + 1;
    assertEquals(Copy.LOST, copy(), "unreachable for longer than the grace period");
    heartbeat();
    assertEquals(Copy.GOOD, copy(), "heartbeats again");
    now += HEARTBEAT_TIMEOUT_MS + 1;
    assertEquals(Copy.PENDING, copy(), "a new outage gets a new grace period");
  }

  @Test
  void downDeviceIsPendingThenLost() {
    mark(DeviceState.DEVICE_DOWN);
    assertEquals(Copy.PENDING, copy());
    now += GRACE_MS + 1;
    heartbeat();
    assertEquals(Copy.LOST, copy());
  }

  @Test
  void drainingCopiesServeButDoNotCountAndDeadOnesAreGone() {
    mark(DeviceState.DEVICE_DRAIN);
    assertEquals(Copy.DRAINING, copy());
    now += HEARTBEAT_TIMEOUT_MS + 1;
    assertEquals(Copy.LOST, copy(), "an unreachable draining device is no source");
    mark(DeviceState.DEVICE_DEAD);
    assertEquals(Copy.DEAD, copy());
  }

  @Test
  void aNewLeaderContinuesTheGraceOfADeviceThatWentSilent() {
    assertEquals(Copy.GOOD, copy());
    now += HEARTBEAT_TIMEOUT_MS + 1;
    assertEquals(Copy.PENDING, copy(), "the old leader starts the grace");
    now += GRACE_MS / 2;
    // The new leader heard the same heartbeats (datanodes heartbeat to every tracker).
    CopyStates newLeader = new CopyStates(observations, () -> GRACE_MS);
    assertEquals(Copy.PENDING, newLeader.of(new MetaView(store), deviceId), "half the grace is left");
    now += GRACE_MS / 2;
    assertEquals(Copy.LOST, newLeader.of(new MetaView(store), deviceId),
        "the grace ends when it would have for the old leader, not a grace later");
  }

  @Test
  void aDeviceReportingItselfUnhealthyIsLostOneGraceAfterItsFirstSuchReport() {
    heartbeat(hostId, deviceId, false);
    assertEquals(Copy.PENDING, copy());
    for (int i = 0; i < 10; i++) {
      now += GRACE_MS / 10 + 1;
      heartbeat(hostId, deviceId, false);
    }
    CopyStates newLeader = new CopyStates(observations, () -> GRACE_MS);
    assertEquals(Copy.LOST, newLeader.of(new MetaView(store), deviceId), "unhealthy for longer than the grace");
  }

  @Test
  void aTrackerThatHeardNothingForAWhileStartsTheGraceAfresh() {
    now += GRACE_MS * 10; // this tracker hung or was cut off: it cannot tell how long the device was silent
    heartbeat(hostId + 1, deviceId + 1, true); // it hears other datanodes again
    assertEquals(Copy.PENDING, copy(), "silent for as long as this tracker knows: the grace starts now");
    now += GRACE_MS + 1;
    assertEquals(Copy.LOST, copy());
  }

  @Test
  void urgencyCountsPendingCopiesAndNotLostOnes() {
    FidRecord fid = FidRecord.newBuilder().setFid(7).addDeviceIds(1).addDeviceIds(2).build();
    assertEquals(-1, FileRepair.urgency(id -> id == 1 ? Copy.GOOD : Copy.PENDING, fid, 2),
        "a pending copy still counts: nothing to do");
    assertEquals(1, FileRepair.urgency(id -> id == 1 ? Copy.GOOD : Copy.LOST, fid, 2), "a lost copy does not");
    assertEquals(0, FileRepair.urgency(id -> Copy.LOST, fid, 2), "none left that counts");
    assertEquals(-1, FileRepair.urgency(id -> Copy.PENDING, fid, 2), "both within the grace");
    assertEquals(2, FileRepair.urgency(id -> id == 3 ? Copy.DEAD : Copy.GOOD,
        fid.toBuilder().addDeviceIds(3).build(), 2), "enough copies, a dead location to drop: least urgent");
  }
}
