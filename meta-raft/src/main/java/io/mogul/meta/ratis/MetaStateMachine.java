package io.mogul.meta.ratis;

import io.mogul.meta.request.CommandApplier;
import io.mogul.meta.store.LiveStore;
import io.mogul.meta.store.MetaStore;
import io.mogul.proto.meta.AppliedPosition;
import io.mogul.proto.meta.LogEntry;
import io.mogul.proto.meta.LogEntryResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft state machine: decodes each log entry and hands it to the {@link CommandApplier};
 * snapshots are RocksDB checkpoints whose applied position was written with the data.
 */
public final class MetaStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(MetaStateMachine.class);

  private final LiveStore live;
  private final SnapshotStorage snapshots = new SnapshotStorage();

  public MetaStateMachine(LiveStore live) {
    this.live = live;
  }

  public LiveStore live() {
    return live;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage) throws IOException {
    getLifeCycle().startAndTransition(() -> {
      super.initialize(server, groupId, storage);
      snapshots.init(storage);
      loadAppliedPosition();
      // RocksDB may hold entries applied after the newest snapshot. Ratis replays the log
      // from its newest snapshot, so make that snapshot the state actually held: replay
      // then resumes right after it instead of re-running entries already applied.
      AppliedPosition applied = live.current().appliedPosition();
      SnapshotInfo latest = snapshots.getLatestSnapshot();
      if (applied.getIndex() > 0 && (latest == null || latest.getIndex() < applied.getIndex())) {
        checkpoint();
      }
    }, IOException.class);
  }

  /** Ratis pauses the state machine before it installs a snapshot, then calls {@link #reinitialize}. */
  @Override
  public synchronized void pause() {
    if (getLifeCycle().getCurrentState() == LifeCycle.State.RUNNING) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  private void loadAppliedPosition() {
    AppliedPosition applied = live.current().appliedPosition();
    setLastAppliedTermIndex(TermIndex.valueOf(applied.getTerm(), applied.getIndex()));
  }

  @Override
  public synchronized void reinitialize() throws IOException {
    getLifeCycle().transition(LifeCycle.State.STARTING);
    SnapshotInfo installed = snapshots.reload();
    if (installed != null && installed.getIndex() > live.current().appliedPosition().getIndex()) {
      Path dir = snapshots.latestDir();
      LOG.info("{}: replacing state with installed snapshot {}", getId(), installed.getTermIndex());
      live.replaceWith(dir);
    }
    loadAppliedPosition();
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshots;
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    return snapshots.getLatestSnapshot();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    MetaStore store = live.current();
    long index = entry.getIndex();
    if (index <= store.appliedPosition().getIndex()) {
      // Already in the state: applying again would, for example, reserve a fid range
      // twice. The applied position stays where the state is.
      return CompletableFuture.completedFuture(Message.EMPTY);
    }
    try {
      LogEntry decoded = LogEntry.parseFrom(entry.getStateMachineLogEntry().getLogData().newInput());
      // Only the leader's results reach callers; a follower's would be built and dropped.
      boolean answering = trx.getServerRole() == RaftPeerRole.LEADER;
      LogEntryResult result = new CommandApplier(store).apply(decoded,
          AppliedPosition.newBuilder().setTerm(entry.getTerm()).setIndex(index).build(), answering);
      updateLastAppliedTermIndex(entry.getTerm(), index);
      return CompletableFuture.completedFuture(answering
          ? Message.valueOf(UnsafeByteOperations.unsafeWrap(result.toByteArray())) : Message.EMPTY);
    } catch (IOException | RuntimeException e) {
      LOG.error("{}: cannot apply entry {}", getId(), index, e);
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Reads wait for the read index in Ratis and then read the local state; the query itself carries nothing. */
  @Override
  public CompletableFuture<Message> query(Message request) {
    return CompletableFuture.completedFuture(Message.valueOf(ByteString.EMPTY));
  }

  @Override
  public long takeSnapshot() throws IOException {
    TermIndex applied = getLastAppliedTermIndex();
    if (applied == null || applied.getIndex() <= 0) {
      return RaftLogIndexes.INVALID;
    }
    SnapshotInfo current = snapshots.getLatestSnapshot();
    if (current != null && current.getIndex() >= applied.getIndex()) {
      return current.getIndex();
    }
    return checkpoint();
  }

  /** Flushes RocksDB and publishes a checkpoint of it as the newest snapshot; returns its index. */
  private long checkpoint() throws IOException {
    MetaStore store = live.current();
    store.flush();
    Path tmp = snapshots.newTmpDir();
    store.checkpoint(tmp);
    AppliedPosition inCheckpoint = store.appliedPosition();
    TermIndex ti = TermIndex.valueOf(inCheckpoint.getTerm(), inCheckpoint.getIndex());
    snapshots.publish(tmp, ti);
    LOG.info("{}: snapshot at {}", getId(), ti);
    return ti.getIndex();
  }

  /** Raft log index constants. */
  static final class RaftLogIndexes {
    static final long INVALID = -1;

    private RaftLogIndexes() {}
  }
}
