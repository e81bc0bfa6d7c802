package io.mogul.meta.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The tracker's current {@link MetaStore}, which a snapshot install replaces wholesale.
 * Readers run under a shared lock so the store is never closed beneath them.
 */
public final class LiveStore implements AutoCloseable {
  private final Path dir;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private MetaStore store;

  public LiveStore(Path dir) throws IOException {
    this.dir = dir;
    this.store = MetaStore.open(dir);
  }

  /** Runs {@code reader} against the current store. */
  public <T> T read(Function<MetaStore, T> reader) {
    lock.readLock().lock();
    try {
      if (store == null) {
        throw new IllegalStateException("tracker state is closed");
      }
      return reader.apply(store);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The current store, for the single applying thread (which is also the only replacer). */
  public MetaStore current() {
    return store;
  }

  /** Replaces the state with a copy of the checkpoint in {@code checkpoint}. */
  public void replaceWith(Path checkpoint) throws IOException {
    lock.writeLock().lock();
    try {
      if (store != null) {
        store.close();
        store = null;
      }
      deleteTree(dir);
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(checkpoint)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          if (Files.isRegularFile(f) && !f.getFileName().toString().endsWith(".md5")) {
            Files.copy(f, dir.resolve(f.getFileName()));
          }
        }
      }
      store = MetaStore.open(dir);
    } finally {
      lock.writeLock().unlock();
    }
  }

  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (store != null) {
        store.close();
        store = null;
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
