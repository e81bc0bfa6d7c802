package io.mogul.chaos.fault;

import io.mogul.chaos.history.Op;
import io.mogul.launcher.NodeProcess;
import io.mogul.common.MogulException;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.GetPathsResponse;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Flips one byte inside one stored copy of a file, on disk, behind the datanode's back
 * (bit rot). Nothing heals it but Mogul itself: reads must fail over to a good copy and
 * never return the damaged bytes.
 */
public final class CorruptBlob implements Fault {
  private static final int NEEDLE = 32;

  @Override
  public String name() {
    return "corrupt-blob";
  }

  @Override
  public Injected inject(FaultContext context) throws Exception {
    List<String> candidates = new ArrayList<>();
    for (Op op : context.history().ops()) {
      if (op.kind() == Op.Kind.PUT && op.outcome() == Op.Outcome.OK && op.value() != null
          && Long.parseLong(op.value().substring(op.value().indexOf(':') + 1)) >= 4 * NEEDLE) {
        candidates.add(op.key());
      }
    }
    for (int attempt = 0; attempt < 10 && !candidates.isEmpty(); attempt++) {
      String key = context.pick(candidates);
      byte[] data;
      GetPathsResponse paths;
      try {
        paths = context.client().paths(context.domain(), key);
        data = context.client().get(context.domain(), key);
      } catch (MogulException e) {
        continue; // deleted or overwritten meanwhile: try another
      }
      if (data.length < 4 * NEEDLE || paths.getLocationsCount() == 0) {
        continue;
      }
      DeviceLocation location = paths.getLocations(context.random().nextInt(paths.getLocationsCount()));
      NodeProcess datanode = context.cluster().datanodes().stream()
          .filter(d -> d.address().equals(location.getAddress())).findFirst().orElse(null);
      if (datanode == null) {
        continue;
      }
      Path device = context.cluster().baseDir().resolve(datanode.name()).resolve("dev" + location.getDeviceId());
      int middle = data.length / 2 - NEEDLE / 2;
      byte[] needle = java.util.Arrays.copyOfRange(data, middle, middle + NEEDLE);
      Flipped flipped = flipInside(device, needle);
      if (flipped != null) {
        String target = datanode.name() + "/dev" + location.getDeviceId() + " key " + key + " fid "
            + Long.toUnsignedString(paths.getFid()) + " " + flipped;
        return new Injected() {
          @Override
          public String target() {
            return target;
          }

          @Override
          public void heal() {
            // Bit rot is permanent; repairing it is Mogul's job (read failover, fsck).
          }
        };
      }
    }
    return null;
  }

  private record Flipped(Path file, long offset) {
    @Override
    public String toString() {
      return file.getFileName() + "@" + offset;
    }
  }

  /** Finds the needle in any file under the device and flips the byte in its middle. */
  private static Flipped flipInside(Path device, byte[] needle) throws IOException {
    if (!Files.isDirectory(device)) {
      return null;
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(device)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    for (Path file : files) {
      long at = find(file, needle);
      if (at >= 0) {
        long offset = at + needle.length / 2;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
          raf.seek(offset);
          int b = raf.read();
          raf.seek(offset);
          raf.write(b ^ 0x5a);
          raf.getFD().sync();
        }
        return new Flipped(file, offset);
      }
    }
    return null;
  }

  private static long find(Path file, byte[] needle) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      long base = 0;
      int carried = 0;
      while (true) {
        int n = ch.read(buf);
        if (n < 0 && buf.position() == carried) {
          return -1;
        }
        byte[] window = buf.array();
        int limit = buf.position();
        for (int i = 0; i + needle.length <= limit; i++) {
          if (matches(window, i, needle)) {
            return base + i;
          }
        }
        if (n < 0) {
          return -1;
        }
        // Keep the tail that might start a match across the chunk boundary.
        int keep = Math.min(needle.length - 1, limit);
        System.arraycopy(window, limit - keep, window, 0, keep);
        base += limit - keep;
        buf.position(keep);
        carried = keep;
      }
    }
  }

  private static boolean matches(byte[] hay, int at, byte[] needle) {
    for (int j = 0; j < needle.length; j++) {
      if (hay[at + j] != needle[j]) {
        return false;
      }
    }
    return true;
  }
}
