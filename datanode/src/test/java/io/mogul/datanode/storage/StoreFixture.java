package io.mogul.datanode.storage;

import io.mogul.datanode.config.DatanodeConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

/** Shared helpers for storage engine tests. */
final class StoreFixture {
  private StoreFixture() {}

  static DatanodeConfig config(Path dir) {
    DatanodeConfig c = new DatanodeConfig();
    c.dataDir = dir.toString();
    c.reserveBytes = 0;
    c.trackers = List.of();
    c.storage.volumeSizeBytes = 1L << 20;
    c.storage.compactionCheckIntervalMs = 3_600_000;
    return c;
  }

  static Store open(DatanodeConfig c) throws IOException {
    return Store.open(c, List.of(1));
  }

  static byte[] bytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  static int crc(byte[] b) {
    CRC32C c = new CRC32C();
    c.update(b);
    return (int) c.getValue();
  }

  static byte[] readAll(Store s, long fid) throws IOException {
    try (NeedleReader.OpenNeedle n = s.open(1, fid)) {
      byte[] out = new byte[(int) n.length()];
      int pos = 0;
      while (pos < out.length) {
        ByteBuffer b = n.read(pos, 1 << 20);
        int len = b.remaining();
        b.get(out, pos, len);
        pos += len;
      }
      return out;
    }
  }

  static void write(Store s, long fid, byte[] data) throws Exception {
    s.writeSmall(1, fid, ByteBuffer.wrap(data)).get();
  }
}
