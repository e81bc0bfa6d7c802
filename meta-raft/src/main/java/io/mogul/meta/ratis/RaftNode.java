package io.mogul.meta.ratis;

import io.mogul.common.MogulException;
import io.mogul.meta.config.TrackerConfig;
import io.mogul.meta.request.FeatureLevel;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.RaftRole;
import io.mogul.proto.TrackerStatus;
import io.mogul.proto.meta.LogEntry;
import io.mogul.proto.meta.LogEntryResult;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * One tracker's Ratis peer over Ratis's gRPC transport. Log entries are submitted in
 * process (no network hop to itself); reads pass a ReadIndex barrier first.
 */
public final class RaftNode implements AutoCloseable {
  private final TrackerConfig config;
  private final RaftGroupId groupId;
  private final RaftPeerId selfId;
  private final RaftServer server;
  private final MetaStateMachine stateMachine;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();

  public RaftNode(TrackerConfig config, MetaStateMachine stateMachine) throws IOException {
    this.config = config;
    this.stateMachine = stateMachine;
    this.groupId = RaftGroupId.valueOf(UUID.fromString(config.groupId));
    this.selfId = RaftPeerId.valueOf(config.id);
    List<RaftPeer> peers = new ArrayList<>();
    for (TrackerConfig.Peer p : config.peers) {
      peers.add(RaftPeer.newBuilder().setId(p.id).setAddress(p.raftAddress).setClientAddress(p.address).build());
    }
    RaftGroup group = RaftGroup.valueOf(groupId, peers);
    RaftProperties props = properties(config);
    this.server = RaftServer.newBuilder().setServerId(selfId).setGroup(group).setProperties(props)
        .setStateMachine(stateMachine).setOption(RaftStorage.StartupOption.RECOVER).build();
  }

  private static RaftProperties properties(TrackerConfig config) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(new File(Path.of(config.dataDir, "raft").toString())));
    String raftListen = config.raftListen;
    int colon = raftListen.lastIndexOf(':');
    GrpcConfigKeys.Server.setHost(p, raftListen.substring(0, colon));
    GrpcConfigKeys.Server.setPort(p, Integer.parseInt(raftListen.substring(colon + 1)));
    org.apache.ratis.RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    TrackerConfig.Raft raft = config.raft;
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(raft.electionTimeoutMinMs, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(raft.electionTimeoutMaxMs, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(
        Math.max(3_000, raft.electionTimeoutMaxMs * 2L), TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, raft.snapshotThreshold);
    RaftServerConfigKeys.Snapshot.setCreationGap(p, Math.max(1, Math.min(1024, raft.snapshotThreshold)));
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(p, raft.purgeGap);
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(raft.segmentSizeBytes));
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
    // By default Ratis appends a metadata entry to the log each time the commit index moves,
    // so that a restarted server can apply committed entries without hearing from a leader.
    // That doubled the log entries, replication and log writes of every commit here. The
    // state machine keeps its applied position in the same RocksDB batch as the data, and
    // entries past it are applied once a leader names the commit index.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, raft.leaderLease);
    return p;
  }

  public void start() throws IOException {
    server.start();
  }

  public RaftPeerId selfId() {
    return selfId;
  }

  private RaftServer.Division division() {
    try {
      return server.getDivision(groupId);
    } catch (IOException e) {
      throw new MogulException(ErrorReason.UNAVAILABLE, "raft group not ready: " + e.getMessage(), e);
    }
  }

  public boolean isLeader() {
    DivisionInfo info = division().getInfo();
    return info.isLeader() && info.isLeaderReady();
  }

  /** The current leader's peer id, or null when none is known. */
  public String leaderId() {
    RaftPeerId leader = division().getInfo().getLeaderId();
    return leader == null ? null : leader.toString();
  }

  /** Appends an entry through this tracker, which must be the leader. */
  public CompletableFuture<LogEntryResult> submit(LogEntry entry) {
    RaftClientRequest request = request(RaftClientRequest.writeRequestType(),
        Message.valueOf(UnsafeByteOperations.unsafeWrap(entry.toByteArray())));
    return send(request).thenApply(reply -> {
      try {
        return LogEntryResult.parseFrom(reply.getMessage().getContent().newInput());
      } catch (IOException e) {
        throw new MogulException(ErrorReason.INTERNAL, "undecodable entry result", e);
      }
    });
  }

  /** Completes once this tracker has applied everything committed before the call (ReadIndex). */
  public CompletableFuture<Void> readBarrier() {
    return send(request(RaftClientRequest.readRequestType(), Message.EMPTY)).thenApply(reply -> null);
  }

  private RaftClientRequest request(RaftClientRequest.Type type, Message message) {
    return RaftClientRequest.newBuilder().setClientId(clientId).setServerId(selfId).setGroupId(groupId)
        .setCallId(callIds.incrementAndGet()).setMessage(message).setType(type).build();
  }

  private CompletableFuture<RaftClientReply> send(RaftClientRequest request) {
    CompletableFuture<RaftClientReply> f;
    try {
      f = server.submitClientRequestAsync(request);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new MogulException(ErrorReason.UNAVAILABLE, e.getMessage(), e));
    }
    return f.handle((reply, error) -> {
      if (error != null) {
        throw toMogul(MogulException.unwrapCompletion(error));
      }
      if (!reply.isSuccess()) {
        throw toMogul(reply.getException());
      }
      return reply;
    });
  }

  /** The typed error for a failure of a request to the Raft server (package-private for tests). */
  static MogulException toMogul(Throwable t) {
    if (t instanceof MogulException m) {
      return m;
    }
    if (t instanceof NotLeaderException) {
      return new MogulException(ErrorReason.NOT_LEADER, "not the leader: " + t.getMessage(), t);
    }
    if (t instanceof LeaderNotReadyException) {
      return new MogulException(ErrorReason.UNAVAILABLE, "leader not ready: " + t.getMessage(), t);
    }
    if (t instanceof RaftException || t instanceof IOException) {
      return new MogulException(ErrorReason.UNAVAILABLE, String.valueOf(t.getMessage()), t);
    }
    // A call to a peer that failed in Ratis's own gRPC, such as a follower asking an
    // unreachable leader for the read index: transient, so retriable.
    // Ratis's relocated gRPC has codes of the same values as ours.
    Status peer = Status.fromThrowable(t);
    if (MogulException.transientCode(io.grpc.Status.fromCodeValue(peer.getCode().value()).getCode())) {
      return new MogulException(ErrorReason.UNAVAILABLE, "a Raft peer did not answer: " + peer.getCode()
          + (peer.getDescription() == null ? "" : " " + peer.getDescription()), t);
    }
    return new MogulException(ErrorReason.INTERNAL, String.valueOf(t), t);
  }

  public TrackerStatus status(String clientAddress) {
    RaftServer.Division d = division();
    DivisionInfo info = d.getInfo();
    RaftRole role = switch (info.getCurrentRole()) {
      case LEADER -> RaftRole.LEADER;
      case FOLLOWER -> RaftRole.FOLLOWER;
      case CANDIDATE -> RaftRole.CANDIDATE;
      case LISTENER -> RaftRole.LISTENER;
      default -> RaftRole.RAFT_ROLE_UNSPECIFIED;
    };
    TrackerStatus.Builder b = TrackerStatus.newBuilder().setPeerId(selfId.toString()).setAddress(clientAddress)
        .setRole(role).setTerm(info.getCurrentTerm()).setCommitIndex(d.getRaftLog().getLastCommittedIndex())
        .setAppliedIndex(info.getLastAppliedIndex())
        .setLogStartIndex(Math.max(0, d.getRaftLog().getStartIndex()))
        .setFeatureLevel(FeatureLevel.CURRENT);
    RaftPeerId leader = info.getLeaderId();
    if (leader != null) {
      b.setLeaderId(leader.toString());
    }
    var snapshot = stateMachine.getLatestSnapshot();
    if (snapshot != null) {
      b.setSnapshotIndex(snapshot.getIndex());
    }
    return b.build();
  }

  public TrackerConfig config() {
    return config;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
