package io.mogul.meta.service;

import io.grpc.ManagedChannel;
import io.mogul.common.MogulException;
import io.mogul.common.grpc.ChannelPool;
import io.mogul.meta.config.TrackerConfig;
import io.mogul.meta.placement.DeviceObservations;
import io.mogul.meta.placement.Placement;
import io.mogul.meta.ratis.FidAllocator;
import io.mogul.meta.ratis.ProposalBatcher;
import io.mogul.meta.ratis.RaftNode;
import io.mogul.meta.request.CreateClose;
import io.mogul.meta.request.CreateOpen;
import io.mogul.meta.request.FeatureLevel;
import io.mogul.meta.request.LeaderContext;
import io.mogul.meta.request.ReserveFids;
import io.mogul.meta.request.Results;
import io.mogul.meta.store.LiveStore;
import io.mogul.meta.store.MetaView;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.CreateOpenResponse;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ReadOptions;
import io.mogul.proto.TrackerStatus;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.OpenUpload;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * What the gRPC services share on one tracker: local reads of the state, the ReadIndex
 * barrier, and on the leader the leader step plus batched proposal of commands.
 */
public final class TrackerCore implements AutoCloseable {
  private final TrackerConfig config;
  private final LiveStore live;
  private final RaftNode raft;
  private final DeviceObservations observations;
  private final Placement placement;
  private final ProposalBatcher batcher;
  private final FidAllocator fids;
  private final HeldUploads uploads;
  private final ChannelPool peerChannels = new ChannelPool();
  private final PeerStatuses peers;
  private final RepairTally repairs = new RepairTally();
  private volatile String address;

  public TrackerCore(TrackerConfig config, LiveStore live, RaftNode raft, String address) {
    this.config = config;
    this.live = live;
    this.raft = raft;
    this.address = address;
    this.observations = new DeviceObservations(config.monitor.heartbeatTimeoutMs, System::currentTimeMillis);
    this.placement = new Placement(observations, new Random());
    this.batcher = new ProposalBatcher(raft::submit, config.raft.batchMaxCommands, config.raft.batchMaxInFlight,
        "proposals-" + config.id);
    this.fids = new FidAllocator(count -> batcher.propose(ReserveFids.prepare(count, System.currentTimeMillis())),
        config.uploads.fidReserveBatch);
    this.uploads = new HeldUploads(config.uploads.maxOpen);
    this.peers = new PeerStatuses(config, this::status, peerChannels::get);
  }

  public TrackerConfig config() {
    return config;
  }

  public RaftNode raft() {
    return raft;
  }

  public DeviceObservations observations() {
    return observations;
  }

  public Placement placement() {
    return placement;
  }

  /** A channel to another tracker's client address (kept open). */
  public ManagedChannel peerChannel(String address) {
    return peerChannels.get(address);
  }

  /** The statuses of the group's trackers, each as the tracker reports it. */
  public PeerStatuses peers() {
    return peers;
  }

  /** This tracker's status: its Raft position and what its background jobs did while it led. */
  public TrackerStatus status() {
    return raft.status(address).toBuilder().setRepairCopies(repairs.copiesMade())
        .setSurplusCopiesRemoved(repairs.surplusCopiesRemoved()).build();
  }

  /** What re-replication did while this tracker led. */
  public RepairTally repairs() {
    return repairs;
  }

  /** The open uploads this tracker issued as leader and still holds. */
  public HeldUploads uploads() {
    return uploads;
  }

  /** Records the client address once the gRPC server is bound (the real port when 0 was configured). */
  public void setAddress(String address) {
    this.address = address;
  }

  /** This tracker's client address. */
  public String address() {
    return address;
  }

  /** Reads the local state. */
  public <T> T read(Function<MetaView, T> reader) {
    return live.read(store -> reader.apply(new MetaView(store)));
  }

  /** Linearizable unless the caller accepts a stale answer from this replica. */
  public CompletableFuture<Void> barrier(ReadOptions options) {
    if (options != null && options.getStaleOk()) {
      return CompletableFuture.completedFuture(null);
    }
    return raft.readBarrier();
  }

  /** Reads after the barrier. */
  public <T> CompletableFuture<T> readAfterBarrier(ReadOptions options, Function<MetaView, T> reader) {
    return barrier(options).thenApply(v -> read(reader));
  }

  /** Runs the leader step and proposes its command; completes with the command's result or its error. */
  public CompletableFuture<CommandResult> propose(Function<LeaderContext, Command> leaderStep) {
    Command command;
    try {
      command = live.read(store -> leaderStep.apply(context(new MetaView(store), fids::allocate)));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return whenAllCanApply(command).thenApply(Results::orThrow);
  }

  /**
   * Issues an upload: the leader step validates it and chooses its fid and devices, and the
   * upload is held in memory until create_close carries it into the log. Only the leader
   * issues uploads, since only the leader's closes find them.
   */
  public CreateOpenResponse open(CreateOpenRequest request) {
    if (!raft.isLeader()) {
      throw new MogulException(ErrorReason.NOT_LEADER, "this tracker is not the leader");
    }
    // Taken before the state's read lock: it may wait for a fid range to be reserved through
    // the log, which must not hold up a snapshot install. A refused open's fid is skipped.
    long fid = fids.allocate();
    return live.read(store -> {
      MetaView view = new MetaView(store);
      OpenUpload upload = CreateOpen.prepare(request, context(view, () -> fid));
      uploads.hold(upload);
      return CreateOpen.response(view, upload);
    });
  }

  /** Proposes create_close commands; a held upload is released once its close succeeded. */
  public List<CompletableFuture<CommandResult>> close(List<CreateCloseRequest> requests) {
    List<Function<LeaderContext, Command>> steps = new ArrayList<>(requests.size());
    for (CreateCloseRequest r : requests) {
      steps.add(ctx -> CreateClose.prepare(r, ctx));
    }
    List<CompletableFuture<CommandResult>> results = proposeAll(steps);
    for (int i = 0; i < results.size(); i++) {
      long fid = requests.get(i).getFid();
      results.get(i).thenAccept(r -> {
        if (!r.hasError()) {
          uploads.release(fid);
        }
      });
    }
    return results;
  }

  /** Proposes already prepared commands (leader-made housekeeping). */
  public CompletableFuture<CommandResult> proposePrepared(Command command) {
    return whenAllCanApply(command).thenApply(Results::orThrow);
  }

  /** Prepares each item on its own; an item whose leader step fails gets that error as its result. */
  public List<CompletableFuture<CommandResult>> proposeAll(List<Function<LeaderContext, Command>> steps) {
    List<CompletableFuture<CommandResult>> out = new ArrayList<>(steps.size());
    for (Function<LeaderContext, Command> step : steps) {
      Command command;
      try {
        command = live.read(store -> step.apply(context(new MetaView(store), fids::allocate)));
      } catch (RuntimeException e) {
        out.add(CompletableFuture.failedFuture(e));
        continue;
      }
      out.add(whenAllCanApply(command));
    }
    return out;
  }

  /**
   * Proposes a command once every tracker can apply it. A tracker of an older build would
   * reject a newer command in its apply step while the others carry it out, and the
   * replicas would then differ, so such a command first asks every tracker for its level.
   */
  private CompletableFuture<CommandResult> whenAllCanApply(Command command) {
    int level = FeatureLevel.required(command);
    if (level <= FeatureLevel.BASE) {
      return batcher.propose(command);
    }
    return peers.requireLevel(level).thenCompose(v -> batcher.propose(command));
  }

  private LeaderContext context(MetaView view, LongSupplier fid) {
    return new LeaderContext() {
      @Override
      public long nowMs() {
        return System.currentTimeMillis();
      }

      @Override
      public long allocateFid() {
        return fid.getAsLong();
      }

      @Override
      public MetaView view() {
        return view;
      }

      @Override
      public Placement placement() {
        return placement;
      }

      @Override
      public long uploadExpiryMs() {
        return config.uploads.expirySeconds * 1000;
      }

      @Override
      public OpenUpload heldUpload(long fid) {
        return uploads.get(fid);
      }
    };
  }

  @Override
  public void close() {
    batcher.close();
    peerChannels.close();
  }
}
