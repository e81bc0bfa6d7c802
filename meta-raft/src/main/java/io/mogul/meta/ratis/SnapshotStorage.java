package io.mogul.meta.ratis;

import io.mogul.meta.store.LiveStore;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots are RocksDB checkpoints, one directory {@code snapshot.<term>_<index>} each, in
 * the Raft state-machine directory. The leader ships a snapshot's files to a lagging
 * follower; the follower finds the installed directory here and copies it into its state.
 */
final class SnapshotStorage implements StateMachineStorage {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStorage.class);
  private static final Pattern NAME = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");

  private volatile File dir;
  private volatile SnapshotInfo latest;

  @Override
  public void init(RaftStorage storage) throws IOException {
    dir = storage.getStorageDir().getStateMachineDir();
    Files.createDirectories(dir.toPath());
    reload();
  }

  @Override
  public File getSnapshotDir() {
    return dir;
  }

  /** Rescans the directory (after start or a snapshot install) for the newest snapshot. */
  SnapshotInfo reload() throws IOException {
    Path best = null;
    TermIndex bestIndex = null;
    try (Stream<Path> walk = Files.walk(dir.toPath(), 3)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (Files.isDirectory(p) && m.matches() && Files.exists(p.resolve("CURRENT"))) {
          TermIndex ti = TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
          if (bestIndex == null || ti.getIndex() > bestIndex.getIndex()) {
            best = p;
            bestIndex = ti;
          }
        }
      }
    }
    latest = best == null ? null : describe(best, bestIndex);
    return latest;
  }

  Path latestDir() {
    SnapshotInfo s = latest;
    return s == null ? null : s.getFiles().get(0).getPath().getParent();
  }

  private static SnapshotInfo describe(Path snapshotDir, TermIndex ti) throws IOException {
    List<FileInfo> files = new ArrayList<>();
    try (Stream<Path> list = Files.list(snapshotDir)) {
      for (Path f : (Iterable<Path>) list.sorted()::iterator) {
        if (Files.isRegularFile(f) && !f.getFileName().toString().endsWith(".md5")) {
          files.add(new FileInfo(f.toAbsolutePath(), null));
        }
      }
    }
    return new FileListSnapshotInfo(files, ti);
  }

  /** A fresh directory to write the next checkpoint into. */
  Path newTmpDir() throws IOException {
    Path tmp = dir.toPath().resolve("checkpoint.tmp");
    LiveStore.deleteTree(tmp);
    return tmp;
  }

  /** Publishes a completed checkpoint as the latest snapshot and deletes the older ones. */
  SnapshotInfo publish(Path checkpoint, TermIndex ti) throws IOException {
    Path target = dir.toPath().resolve("snapshot." + ti.getTerm() + "_" + ti.getIndex());
    LiveStore.deleteTree(target);
    Files.move(checkpoint, target);
    latest = describe(target, ti);
    try (Stream<Path> list = Files.list(dir.toPath())) {
      for (Path p : (Iterable<Path>) list::iterator) {
        if (!p.equals(target) && NAME.matcher(p.getFileName().toString()).matches()) {
          LiveStore.deleteTree(p);
        }
      }
    } catch (IOException e) {
      LOG.warn("could not delete an old snapshot in {}: {}", dir, e.toString());
    }
    return latest;
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    return latest;
  }

  @Override
  public void format() {
    // Nothing to format: snapshot directories are created on demand.
  }

  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {
    // publish() keeps only the newest snapshot.
  }
}
