package io.mogul.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-line transfer progress bar on stderr, redrawn at most ten times a second. Shown
 * only for transfers over {@link #THRESHOLD} bytes when stderr is a terminal, so scripts
 * and pipes never see it.
 */
final class Progress implements AutoCloseable {
  static final long THRESHOLD = 4L * 1024 * 1024;

  private final PrintStream err;
  private final long total;
  private final boolean enabled;
  private final long startNanos = System.nanoTime();
  private final AtomicLong done = new AtomicLong();
  private volatile long lastDrawNanos;

  Progress(Io io, long total) {
    this.err = io.err();
    this.total = total;
    this.enabled = io.terminal() && total > THRESHOLD;
  }

  /** Counts {@code bytes} more; a negative count takes back the bytes of a copy read again. */
  void add(long bytes) {
    long now = done.addAndGet(bytes);
    if (enabled && System.nanoTime() - lastDrawNanos > 100_000_000L) {
      lastDrawNanos = System.nanoTime();
      draw(now);
    }
  }

  private synchronized void draw(long now) {
    double fraction = total > 0 ? Math.min(1.0, (double) now / total) : 0;
    int filled = (int) (fraction * 30);
    double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
    err.printf("\r[%s%s] %3d%% %s %.1f MB/s ", "#".repeat(filled), " ".repeat(30 - filled),
        (int) (fraction * 100), Output.bytes(now), now / seconds / 1e6);
    err.flush();
  }

  @Override
  public void close() {
    if (enabled) {
      draw(done.get());
      err.println();
    }
  }
}
