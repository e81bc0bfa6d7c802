package io.mogul.meta.service;

import io.grpc.stub.StreamObserver;
import io.mogul.common.MogulException;
import io.mogul.meta.jobs.RebalancePreview;
import io.mogul.meta.placement.DeviceObservations;
import io.mogul.meta.request.ControlFsck;
import io.mogul.meta.request.ControlRebalance;
import io.mogul.meta.request.CreateClass;
import io.mogul.meta.request.CreateDevice;
import io.mogul.meta.request.CreateDomain;
import io.mogul.meta.request.CreateHost;
import io.mogul.meta.request.DeleteClass;
import io.mogul.meta.request.DeleteDomain;
import io.mogul.meta.request.DeleteHost;
import io.mogul.meta.request.Infos;
import io.mogul.meta.request.JobRecords;
import io.mogul.meta.request.KnownSettings;
import io.mogul.meta.request.Rules;
import io.mogul.meta.request.SetDeviceState;
import io.mogul.meta.request.SetDeviceWeight;
import io.mogul.meta.request.SetSetting;
import io.mogul.meta.request.UpdateClass;
import io.mogul.meta.request.UpdateHost;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreException;
import io.mogul.meta.store.Table;
import io.mogul.proto.AdminGrpc;
import io.mogul.proto.ClassInfo;
import io.mogul.proto.ClassRef;
import io.mogul.proto.ClassSpec;
import io.mogul.proto.ClusterCheck;
import io.mogul.proto.ClusterStats;
import io.mogul.proto.CreateDeviceRequest;
import io.mogul.proto.CreateHostRequest;
import io.mogul.proto.DeviceInfo;
import io.mogul.proto.DomainInfo;
import io.mogul.proto.DomainRef;
import io.mogul.proto.Empty;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.HostInfo;
import io.mogul.proto.HostRef;
import io.mogul.proto.ListClassesRequest;
import io.mogul.proto.ListClassesResponse;
import io.mogul.proto.ListDevicesResponse;
import io.mogul.proto.ListDomainsResponse;
import io.mogul.proto.ListHostsResponse;
import io.mogul.proto.ListRequest;
import io.mogul.proto.ListSettingsResponse;
import io.mogul.proto.RaftRole;
import io.mogul.proto.RebalanceTestRequest;
import io.mogul.proto.RebalanceTestResponse;
import io.mogul.proto.SetDeviceStateRequest;
import io.mogul.proto.SetDeviceWeightRequest;
import io.mogul.proto.Setting;
import io.mogul.proto.TrackerStatus;
import io.mogul.proto.UpdateHostRequest;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.DomainRecord;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.HostRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** mogadm parity: hosts, devices, domains, classes, settings, cluster check and stats. */
public final class AdminService extends AdminGrpc.AdminImplBase {
  /** Most moves a rebalance test shows: a plan's search is bounded, and so is the answer. */
  static final int MAX_TEST_MOVES = 10_000;

  private final TrackerCore core;
  private final LeaderForwarding writes;

  /** The one scan-backed stat, counted at most every 30 s (see UnderReplicatedCount). */
  private final UnderReplicatedCount underReplicated;

  public AdminService(TrackerCore core, LeaderForwarding writes) {
    this.core = core;
    this.underReplicated = new UnderReplicatedCount(System::nanoTime);
    this.writes = writes;
  }

  // ----- hosts and devices

  @Override
  public void createHost(CreateHostRequest request, StreamObserver<HostInfo> out) {
    writes.write(AdminGrpc.getCreateHostMethod(), request, out, () ->
        core.propose(ctx -> CreateHost.prepare(request, ctx)).thenApply(r -> observed(r.getHost())));
  }

  @Override
  public void updateHost(UpdateHostRequest request, StreamObserver<HostInfo> out) {
    writes.write(AdminGrpc.getUpdateHostMethod(), request, out, () ->
        core.propose(ctx -> UpdateHost.prepare(request, ctx)).thenApply(r -> observed(r.getHost())));
  }

  @Override
  public void deleteHost(HostRef request, StreamObserver<Empty> out) {
    writes.write(AdminGrpc.getDeleteHostMethod(), request, out, () ->
        core.propose(ctx -> DeleteHost.prepare(request, ctx)).thenApply(r -> Empty.getDefaultInstance()));
  }

  @Override
  public void listHosts(ListRequest request, StreamObserver<ListHostsResponse> out) {
    Calls.reply(Calls.call(() -> core.readAfterBarrier(request.getRead(), view ->
        ListHostsResponse.newBuilder().addAllHosts(hosts(view)).build())), out);
  }

  private List<HostInfo> hosts(MetaView view) {
    List<HostInfo> out = new ArrayList<>();
    for (HostRecord h : view.hosts()) {
      out.add(observed(Infos.host(h)));
    }
    return out;
  }

  private HostInfo observed(HostInfo h) {
    DeviceObservations obs = core.observations();
    return h.toBuilder().setReachable(obs.hostReachable(h.getHostId()))
        .setLastHeartbeatMs(obs.hostLastHeartbeat(h.getHostId())).build();
  }

  @Override
  public void createDevice(CreateDeviceRequest request, StreamObserver<DeviceInfo> out) {
    writes.write(AdminGrpc.getCreateDeviceMethod(), request, out, () ->
        core.propose(ctx -> CreateDevice.prepare(request, ctx)).thenApply(r -> observed(r.getDevice())));
  }

  @Override
  public void setDeviceState(SetDeviceStateRequest request, StreamObserver<DeviceInfo> out) {
    writes.write(AdminGrpc.getSetDeviceStateMethod(), request, out, () ->
        core.propose(ctx -> SetDeviceState.prepare(request, ctx)).thenApply(r -> observed(r.getDevice())));
  }

  @Override
  public void setDeviceWeight(SetDeviceWeightRequest request, StreamObserver<DeviceInfo> out) {
    writes.write(AdminGrpc.getSetDeviceWeightMethod(), request, out, () ->
        core.propose(ctx -> SetDeviceWeight.prepare(request, ctx)).thenApply(r -> observed(r.getDevice())));
  }

  @Override
  public void listDevices(ListRequest request, StreamObserver<ListDevicesResponse> out) {
    Calls.reply(Calls.call(() -> core.readAfterBarrier(request.getRead(), view ->
        ListDevicesResponse.newBuilder().addAllDevices(devices(view)).build())), out);
  }

  private List<DeviceInfo> devices(MetaView view) {
    Map<Integer, HostRecord> hosts = new HashMap<>();
    for (HostRecord h : view.hosts()) {
      hosts.put(h.getHostId(), h);
    }
    List<DeviceInfo> out = new ArrayList<>();
    for (DeviceRecord d : view.devices()) {
      out.add(observed(Infos.device(view, d, hosts.get(d.getHostId()))));
    }
    return out;
  }

  /** Overlays what this tracker observed through heartbeats on the persisted device record. */
  private DeviceInfo observed(DeviceInfo d) {
    DeviceObservations.Observation o = core.observations().device(d.getDeviceId());
    DeviceInfo.Builder b = d.toBuilder().setReachable(core.observations().reachable(d.getDeviceId()));
    if (o != null) {
      b.setCapacityBytes(o.capacityBytes()).setUsedBytes(o.usedBytes()).setReserveBytes(o.reserveBytes())
          .setIoLoad(o.ioLoad()).setFull(o.full()).setLastHeartbeatMs(o.atMs()).setError(o.error());
    }
    return b.build();
  }

  // ----- domains and classes

  @Override
  public void createDomain(DomainRef request, StreamObserver<DomainInfo> out) {
    writes.write(AdminGrpc.getCreateDomainMethod(), request, out, () ->
        core.propose(ctx -> CreateDomain.prepare(request, ctx)).thenApply(CommandResult::getDomain));
  }

  @Override
  public void deleteDomain(DomainRef request, StreamObserver<Empty> out) {
    writes.write(AdminGrpc.getDeleteDomainMethod(), request, out, () ->
        core.propose(ctx -> DeleteDomain.prepare(request, ctx)).thenApply(r -> Empty.getDefaultInstance()));
  }

  @Override
  public void listDomains(ListRequest request, StreamObserver<ListDomainsResponse> out) {
    Calls.reply(Calls.call(() -> core.readAfterBarrier(request.getRead(), view -> {
      ListDomainsResponse.Builder b = ListDomainsResponse.newBuilder();
      for (DomainRecord d : view.domains()) {
        b.addDomains(Infos.domain(view, d));
      }
      return b.build();
    })), out);
  }

  @Override
  public void createClass(ClassSpec request, StreamObserver<ClassInfo> out) {
    writes.write(AdminGrpc.getCreateClassMethod(), request, out, () ->
        core.propose(ctx -> CreateClass.prepare(request, ctx)).thenApply(CommandResult::getClassInfo));
  }

  @Override
  public void updateClass(ClassSpec request, StreamObserver<ClassInfo> out) {
    writes.write(AdminGrpc.getUpdateClassMethod(), request, out, () ->
        core.propose(ctx -> UpdateClass.prepare(request, ctx)).thenApply(CommandResult::getClassInfo));
  }

  @Override
  public void deleteClass(ClassRef request, StreamObserver<Empty> out) {
    writes.write(AdminGrpc.getDeleteClassMethod(), request, out, () ->
        core.propose(ctx -> DeleteClass.prepare(request, ctx)).thenApply(r -> Empty.getDefaultInstance()));
  }

  @Override
  public void listClasses(ListClassesRequest request, StreamObserver<ListClassesResponse> out) {
    Calls.reply(Calls.call(() -> core.readAfterBarrier(request.getRead(), view -> {
      String domain = request.getDomain().isEmpty() ? null : Rules.domain(view, request.getDomain()).getName();
      ListClassesResponse.Builder b = ListClassesResponse.newBuilder();
      for (ClassRecord c : view.classes(domain)) {
        b.addClasses(Infos.storageClass(view, c));
      }
      return b.build();
    })), out);
  }

  // ----- settings

  @Override
  public void listSettings(ListRequest request, StreamObserver<ListSettingsResponse> out) {
    Calls.reply(Calls.call(() -> core.readAfterBarrier(request.getRead(), view -> {
      ListSettingsResponse.Builder b = ListSettingsResponse.newBuilder();
      for (KnownSettings.Definition d : KnownSettings.all()) {
        b.addSettings(KnownSettings.toSetting(d, view.setting(d.name())));
      }
      return b.build();
    })), out);
  }

  @Override
  public void setSetting(Setting request, StreamObserver<Setting> out) {
    writes.write(AdminGrpc.getSetSettingMethod(), request, out, () ->
        core.propose(ctx -> SetSetting.prepare(request, ctx)).thenApply(CommandResult::getSetting));
  }

  // ----- cluster

  @Override
  public void getTrackerStatus(Empty request, StreamObserver<TrackerStatus> out) {
    Calls.now(core::status, out);
  }

  @Override
  public void checkCluster(Empty request, StreamObserver<ClusterCheck> out) {
    Calls.reply(Calls.call(() -> core.peers().all().thenApply(statuses -> {
      ClusterCheck.Builder b = ClusterCheck.newBuilder().addAllTrackers(statuses);
      long answered = statuses.stream().filter(s -> s.getRole() != RaftRole.UNREACHABLE).count();
      boolean leader = statuses.stream().anyMatch(s -> s.getRole() == RaftRole.LEADER);
      b.setHealthy(leader && answered * 2 > statuses.size());
      core.read(view -> {
        b.addAllHosts(hosts(view));
        b.addAllDevices(devices(view));
        return null;
      });
      return b.build();
    })), out);
  }

  @Override
  public void getStats(ListRequest request, StreamObserver<ClusterStats> out) {
    Calls.reply(Calls.call(() -> core.readAfterBarrier(request.getRead(), this::stats)), out);
  }

  private ClusterStats stats(MetaView view) {
    ClusterStats.Builder b = ClusterStats.newBuilder();
    for (DomainRecord d : view.domains()) {
      DomainInfo domain = Infos.domain(view, d);
      b.addDomains(domain);
      b.setFileCount(b.getFileCount() + domain.getFileCount());
      b.setByteCount(b.getByteCount() + domain.getByteCount());
    }
    // Open uploads live in the memory of the leader that issued them (older log entries
    // may still hold some in the state): the leader's answer counts them all.
    return b.setPendingDeletions(view.count(Table.DELETIONS))
        .setOpenUploads(view.count(Table.UPLOADS) + core.uploads().size())
        .setUnderReplicated(underReplicated.get(view))
        .setNextFid(view.counter(Keys.FID_HIGH_WATER) + 1).build();
  }

  // ----- background jobs

  @Override
  public void fsckStart(Empty request, StreamObserver<io.mogul.proto.FsckStatus> out) {
    controlFsck(AdminGrpc.getFsckStartMethod(), request, io.mogul.proto.meta.FsckAction.FSCK_START, out);
  }

  @Override
  public void fsckStop(Empty request, StreamObserver<io.mogul.proto.FsckStatus> out) {
    controlFsck(AdminGrpc.getFsckStopMethod(), request, io.mogul.proto.meta.FsckAction.FSCK_STOP, out);
  }

  @Override
  public void fsckReset(Empty request, StreamObserver<io.mogul.proto.FsckStatus> out) {
    controlFsck(AdminGrpc.getFsckResetMethod(), request, io.mogul.proto.meta.FsckAction.FSCK_RESET, out);
  }

  @Override
  public void fsckClearLog(Empty request, StreamObserver<io.mogul.proto.FsckStatus> out) {
    controlFsck(AdminGrpc.getFsckClearLogMethod(), request, io.mogul.proto.meta.FsckAction.FSCK_CLEAR_LOG, out);
  }

  private void controlFsck(io.grpc.MethodDescriptor<Empty, io.mogul.proto.FsckStatus> method, Empty request,
                           io.mogul.proto.meta.FsckAction action, StreamObserver<io.mogul.proto.FsckStatus> out) {
    writes.write(method, request, out, () ->
        core.propose(ctx -> ControlFsck.prepare(action, ctx)).thenApply(CommandResult::getFsck));
  }

  @Override
  public void getFsckStatus(ListRequest request, StreamObserver<io.mogul.proto.FsckStatus> out) {
    Calls.reply(Calls.call(() -> core.readAfterBarrier(request.getRead(), JobRecords::fsck)), out);
  }

  @Override
  public void getFsckLog(io.mogul.proto.FsckLogRequest request, StreamObserver<io.mogul.proto.FsckLogResponse> out) {
    int limit = request.getLimit() == 0 ? 1000 : (int) Math.min(10_000, Integer.toUnsignedLong(request.getLimit()));
    Calls.reply(Calls.call(() -> core.readAfterBarrier(request.getRead(), view ->
        io.mogul.proto.FsckLogResponse.newBuilder()
            .addAllEntries(JobRecords.fsckLog(view, request.getAfterSeq(), limit)).build())), out);
  }

  @Override
  public void rebalanceStart(Empty request, StreamObserver<io.mogul.proto.RebalanceStatus> out) {
    writes.write(AdminGrpc.getRebalanceStartMethod(), request, out, () ->
        core.propose(ctx -> ControlRebalance.prepare(true, false, ctx.nowMs())).thenApply(CommandResult::getRebalance));
  }

  @Override
  public void rebalanceStop(Empty request, StreamObserver<io.mogul.proto.RebalanceStatus> out) {
    writes.write(AdminGrpc.getRebalanceStopMethod(), request, out, () ->
        core.propose(ctx -> ControlRebalance.prepare(false, false, ctx.nowMs())).thenApply(CommandResult::getRebalance));
  }

  @Override
  public void getRebalanceStatus(ListRequest request, StreamObserver<io.mogul.proto.RebalanceStatus> out) {
    Calls.reply(Calls.call(() -> core.readAfterBarrier(request.getRead(), JobRecords::rebalance)), out);
  }

  @Override
  public void rebalanceTest(RebalanceTestRequest request, StreamObserver<RebalanceTestResponse> out) {
    // On the leader, whose device observations (reachability, capacity) a run would use.
    writes.write(AdminGrpc.getRebalanceTestMethod(), request, out, () -> {
      if (request.getMaxMoves() > MAX_TEST_MOVES) {
        throw new MogulException(ErrorReason.INVALID_ARGUMENT, "a rebalance test shows at most " + MAX_TEST_MOVES
            + " moves, not " + Integer.toUnsignedString(request.getMaxMoves()));
      }
      return CompletableFuture.completedFuture(RebalancePreview.of(core, request.getMaxMoves()));
    });
  }
}
