package io.mogul.meta.service;

import io.grpc.stub.StreamObserver;
import io.mogul.common.MogulException;
import io.mogul.meta.request.RegisterHost;
import io.mogul.meta.request.Rules;
import io.mogul.proto.DeviceAssignment;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.HeartbeatRequest;
import io.mogul.proto.HeartbeatResponse;
import io.mogul.proto.RegisterRequest;
import io.mogul.proto.RegisterResponse;
import io.mogul.proto.RegistryGrpc;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.HostRecord;

/**
 * Datanode registration (a replicated write) and heartbeats (kept in this tracker's memory
 * only; the leader persists capacity and usage separately, at a low rate). A heartbeat for
 * a host id the leader does not know fails with UNKNOWN_HOST (register again); a follower
 * that does not know it yet answers UNAVAILABLE.
 */
public final class RegistryService extends RegistryGrpc.RegistryImplBase {
  private final TrackerCore core;
  private final LeaderForwarding writes;

  public RegistryService(TrackerCore core, LeaderForwarding writes) {
    this.core = core;
    this.writes = writes;
  }

  @Override
  public void register(RegisterRequest request, StreamObserver<RegisterResponse> out) {
    writes.write(RegistryGrpc.getRegisterMethod(), request, out, () ->
        core.propose(ctx -> RegisterHost.prepare(request, ctx)).thenApply(CommandResult::getRegister));
  }

  @Override
  public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> out) {
    Calls.now(() -> core.read(view -> {
      if (view.host(request.getHostId()) == null && !core.raft().isLeader()) {
        // A follower may not have applied a fresh registration yet; only the leader's
        // UNKNOWN_HOST means the datanode must register again.
        throw new MogulException(ErrorReason.UNAVAILABLE,
            "host " + request.getHostId() + " is not known to this tracker yet; retry or ask the leader");
      }
      HostRecord host = Rules.host(view, request.getHostId());
      core.observations().record(request);
      HeartbeatResponse.Builder b = HeartbeatResponse.newBuilder().setHostState(host.getState())
          .setFromLeader(core.raft().isLeader());
      for (DeviceRecord d : view.devicesOfHost(host.getHostId())) {
        b.addDevices(DeviceAssignment.newBuilder().setDeviceId(d.getDeviceId()).setState(d.getState()));
      }
      return b.build();
    }), out);
  }
}
