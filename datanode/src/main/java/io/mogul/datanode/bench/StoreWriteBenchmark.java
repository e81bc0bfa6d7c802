package io.mogul.datanode.bench;

import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.datanode.storage.NeedleLocation;
import io.mogul.datanode.storage.Store;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Measures the storage engine alone, without gRPC: fsync'ed in-memory blob writes through
 * {@link Store#writeSmall}, a fixed number in flight, on a fresh store per round. Prints
 * MB/s and the process CPU per blob, so changes to the write path can be compared without
 * the noise of a whole cluster.
 *
 * <pre>
 * StoreWriteBenchmark [--blob-bytes 1048576] [--count 1500] [--in-flight 16] [--rounds 5] [--dir DIR]
 * </pre>
 * The first round includes JIT warm-up; compare the later ones.
 */
@Command(name = "StoreWriteBenchmark", mixinStandardHelpOptions = true,
    description = "fsync'ed blob writes through the storage engine alone.")
public final class StoreWriteBenchmark implements Callable<Integer> {
  @Option(names = "--blob-bytes", description = "Bytes per blob (default ${DEFAULT-VALUE}).") int blobBytes = 1 << 20;
  @Option(names = "--count", description = "Blobs per round (default ${DEFAULT-VALUE}).") int count = 1500;
  @Option(names = "--in-flight", description = "Writes in flight (default ${DEFAULT-VALUE}).") int inFlight = 16;
  @Option(names = "--rounds", description = "Rounds, each on a fresh store (default ${DEFAULT-VALUE}).") int rounds = 5;
  @Option(names = "--dir", description = "Where the rounds' stores go (default: temporary directories).") Path base;
  @Spec CommandSpec spec;

  private StoreWriteBenchmark() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new StoreWriteBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (blobBytes < 0 || count < 1 || inFlight < 1 || rounds < 1) {
      throw new ParameterException(spec.commandLine(),
          "--blob-bytes must not be negative; --count, --in-flight and --rounds must be positive");
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    // A few distinct payloads, so a store cannot take one blob for another.
    SplittableRandom random = new SplittableRandom(1);
    ByteBuffer[] payloads = new ByteBuffer[8];
    for (int i = 0; i < payloads.length; i++) {
      byte[] b = new byte[blobBytes];
      random.nextBytes(b);
      payloads[i] = ByteBuffer.wrap(b).asReadOnlyBuffer();
    }
    for (int round = 1; round <= rounds; round++) {
      Path dir = base == null ? Files.createTempDirectory("mogul-store-bench") : Files.createDirectories(
          base.resolve("round" + round));
      DatanodeConfig c = new DatanodeConfig();
      c.dataDir = dir.toString();
      c.devices = 1;
      c.reserveBytes = 0;
      c.trackers = List.of();
      try (Store store = Store.open(c, List.of(1))) {
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        ArrayDeque<CompletableFuture<NeedleLocation>> pending = new ArrayDeque<>();
        for (int i = 0; i < count; i++) {
          if (pending.size() >= inFlight) {
            pending.poll().get();
          }
          pending.add(store.writeSmall(1, i + 1, payloads[i % payloads.length].duplicate()));
        }
        while (!pending.isEmpty()) {
          pending.poll().get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpuMs = (os.getProcessCpuTime() - cpu0) / 1e6;
        System.out.printf("round %d: %d blobs of %d bytes, %d in flight: %.0f blobs/s, %.1f MB/s, "
            + "%.3f ms of CPU per blob%n", round, count, blobBytes, inFlight, count / seconds,
            (double) count * blobBytes / seconds / 1e6, cpuMs / count);
      } finally {
        delete(dir);
      }
    }
    return 0;
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
