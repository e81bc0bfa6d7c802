package io.mogul.datanode.storage;

import io.mogul.datanode.storage.format.NeedleFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checked bytes of a blob on their way into a volume: held in memory, spilled to a
 * temporary file, or already placed as a large-blob file of its own.
 */
public sealed interface NeedleBody {
  long length();

  int crc32c();

  /** Per-chunk checksums, empty for blobs of at most one checksum chunk. */
  int[] chunkCrcs();

  /** Releases temporary resources once the write is committed or failed. */
  default void discard() {}

  /** Small blob held in memory. */
  record InMemory(ByteBuffer data, int crc32c, int[] chunkCrcs) implements NeedleBody {
    public long length() {
      return data.remaining();
    }
  }

  /** Blob data in a temporary file at {@code dataOffset}, copied into the volume on commit. */
  record Spilled(Path file, long dataOffset, long length, int crc32c, int[] chunkCrcs) implements NeedleBody {
    private static final Logger LOG = LoggerFactory.getLogger(Spilled.class);

    @Override
    public void discard() {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.warn("cannot delete spill file {}", file, e);
      }
    }
  }

  /**
   * A large blob already written and fsync'ed as its own needle file; the volume gets a
   * pointer. {@code placed} is true when this write created the file (and must remove it
   * if the write fails).
   */
  record Large(long length, int crc32c, boolean placed) implements NeedleBody {
    public int[] chunkCrcs() {
      return new int[0];
    }
  }

  /** Checksums an in-memory blob. */
  static InMemory of(ByteBuffer data) {
    ByteBuffer d = data.slice();
    CRC32C whole = new CRC32C();
    whole.update(d.duplicate());
    int n = NeedleFormat.chunkCount(d.remaining());
    int[] chunks = new int[n];
    for (int i = 0; i < n; i++) {
      ByteBuffer c = d.duplicate();
      c.position(i * NeedleFormat.CHECKSUM_CHUNK);
      c.limit((int) Math.min(d.limit(), (long) (i + 1) * NeedleFormat.CHECKSUM_CHUNK));
      CRC32C crc = new CRC32C();
      crc.update(c);
      chunks[i] = (int) crc.getValue();
    }
    return new InMemory(d, (int) whole.getValue(), chunks);
  }
}
