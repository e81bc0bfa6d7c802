package io.mogul.meta.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mogul.common.MogulException;
import io.mogul.meta.placement.DeviceObservations;
import io.mogul.meta.placement.Placement;
import io.mogul.meta.store.MetaStore;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreDump;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateDeviceRequest;
import io.mogul.proto.CreateHostRequest;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.DeviceReport;
import io.mogul.proto.DomainRef;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FileInfo;
import io.mogul.proto.HeartbeatRequest;
import io.mogul.proto.meta.AppliedPosition;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.FidRange;
import io.mogul.proto.meta.LogEntry;
import io.mogul.proto.meta.OpenUpload;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/** A state machine on a temp-dir store, driven the way the leader drives it, with a settable clock. */
final class Fixture implements LeaderContext, AutoCloseable {
  final MetaStore store;
  final CommandApplier applier;
  final DeviceObservations observations;
  final Placement placement;
  long now = 1_000_000L;
  long expiryMs = 60_000;
  /** The open uploads the leader holds, as TrackerCore's HeldUploads does. */
  final Map<Long, OpenUpload> held = new HashMap<>();
  long index;
  private long nextFid;
  private long fidsLeft;

  Fixture(Path dir, long seed) throws IOException {
    store = MetaStore.open(dir);
    applier = new CommandApplier(store);
    observations = new DeviceObservations(10_000, () -> now);
    placement = new Placement(observations, new Random(seed));
  }

  @Override
  public long nowMs() {
    return now;
  }

  @Override
  public long allocateFid() {
    if (fidsLeft == 0) {
      FidRange range = ok(ReserveFids.prepare(10, now)).getFidRange();
      nextFid = range.getFirst();
      fidsLeft = range.getCount();
    }
    fidsLeft--;
    return nextFid++;
  }

  @Override
  public MetaView view() {
    return new MetaView(store);
  }

  @Override
  public Placement placement() {
    return placement;
  }

  @Override
  public long uploadExpiryMs() {
    return expiryMs;
  }

  @Override
  public OpenUpload heldUpload(long fid) {
    return held.get(fid);
  }

  /** When set, every entry is also applied there, as on a follower whose results nobody reads. */
  CommandApplier follower;

  CommandResult run(Command command) {
    index++;
    LogEntry entry = LogEntry.newBuilder().addCommands(command).build();
    AppliedPosition position = AppliedPosition.newBuilder().setTerm(1).setIndex(index).build();
    if (follower != null) {
      follower.apply(entry, position, false);
    }
    return applier.apply(entry, position).getResults(0);
  }

  CommandResult ok(Command command) {
    return Results.orThrow(run(command));
  }

  /** Asserts the command fails with {@code reason} and leaves the state unchanged. */
  void fails(ErrorReason reason, Command command) {
    Map<String, String> before = StoreDump.of(store, false);
    CommandResult result = run(command);
    assertEquals(reason, result.getError().getReason(), () -> "result: " + result);
    assertEquals(before, StoreDump.of(store, false), "a failed command changed the state");
  }

  /** Asserts the leader step rejects the input (nothing is proposed). */
  void rejects(ErrorReason reason, Function<LeaderContext, ?> prepare) {
    Map<String, String> before = StoreDump.of(store, false);
    MogulException e = assertThrows(MogulException.class, () -> prepare.apply(this));
    assertEquals(reason, e.reason(), e::getMessage);
    assertEquals(before, StoreDump.of(store, false));
  }

  void domain(String name) {
    ok(CreateDomain.prepare(DomainRef.newBuilder().setName(name).build(), this));
  }

  /** A host with {@code devices} alive, reachable devices of 1 GiB free each; returns its id. */
  int host(String name, String zone, int devices) {
    int hostId = ok(CreateHost.prepare(CreateHostRequest.newBuilder().setName(name)
        .setAddress(name + ":7500").setZone(zone).build(), this)).getHost().getHostId();
    HeartbeatRequest.Builder hb = HeartbeatRequest.newBuilder().setHostId(hostId);
    for (int i = 0; i < devices; i++) {
      int id = ok(CreateDevice.prepare(CreateDeviceRequest.newBuilder().setHostId(hostId).build(), this))
          .getDevice().getDeviceId();
      hb.addDevices(DeviceReport.newBuilder().setDeviceId(id).setCapacityBytes(1L << 30).setHealthy(true));
    }
    observations.record(hb.build());
    return hostId;
  }

  /** An upload issued and held by the leader: nothing is logged until it is closed. */
  OpenUpload open(String domain, String key) {
    OpenUpload open = CreateOpen.prepare(CreateOpenRequest.newBuilder().setDomain(domain).setKey(key).build(), this);
    held.put(open.getFid(), open);
    return open;
  }

  CreateCloseRequest.Builder closeOf(OpenUpload open, long length) {
    return CreateCloseRequest.newBuilder().setDomain(open.getDomain()).setKey(open.getKey()).setFid(open.getFid())
        .setLength(length).setCrc32C(0x1234).addAllDeviceIds(open.getDeviceIdsList().subList(0, 2));
  }

  FileInfo put(String domain, String key, long length) {
    return ok(CreateClose.prepare(closeOf(open(domain, key), length).build(), this)).getFile();
  }

  @Override
  public void close() {
    store.close();
  }
}
