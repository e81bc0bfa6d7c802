package io.mogul.datanode.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open data file shared by readers and the writer. Reference-counted so compaction can
 * swap in a new file while reads of the old one finish: the old channel closes when its
 * last reader releases it.
 */
public final class VolumeFile {
  private static final Logger LOG = LoggerFactory.getLogger(VolumeFile.class);
  private final FileChannel channel;
  private final AtomicInteger refs = new AtomicInteger(1);

  public VolumeFile(FileChannel channel) {
    this.channel = channel;
  }

  public FileChannel channel() {
    return channel;
  }

  /** @return this file with one more reference, or null when it is already closed */
  public VolumeFile retain() {
    while (true) {
      int r = refs.get();
      if (r <= 0) {
        return null;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return this;
      }
    }
  }

  public void release() {
    if (refs.decrementAndGet() == 0) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.warn("closing volume file failed", e);
      }
    }
  }
}
