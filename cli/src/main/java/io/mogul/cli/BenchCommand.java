package io.mogul.cli;

import io.mogul.client.MogulClient;
import io.mogul.client.PutOptions;
import io.mogul.common.MogulException;
import io.mogul.proto.ClassSpec;
import io.mogul.proto.ErrorReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mogul bench}: writes N files of S bytes at concurrency C, then reads them all
 * back (in a seeded random order), and reports requests/s, MB/s, latency percentiles and
 * errors per phase. With {@code --warmup W}, W other files are written and read first and
 * reported on rows of their own: servers and client just started spend much of their CPU
 * compiling code, and the measured phases should show the warm state. With
 * {@code --read-passes K} the read phase reads every file K times, each pass in its own
 * order, so reads can be measured over longer than the writes that feed them would allow.
 */
@Command(name = "bench", description = "Benchmark puts then gets of N files of S bytes at concurrency C.")
final class BenchCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Option(names = {"-n", "--count"}, description = "Files to write and read (default ${DEFAULT-VALUE}).") int count = 10_000;
  @Option(names = {"-s", "--size"}, description = "Bytes per file (default ${DEFAULT-VALUE}).") int size = 4096;
  @Option(names = {"-c", "--concurrency"}, description = "Requests in flight (default ${DEFAULT-VALUE}).") int concurrency = 16;
  @Option(names = "--domain", description = "Domain (default ${DEFAULT-VALUE}).") String domain = "default";
  @Option(names = "--class", description = "Storage class (default: the domain's default).") String storageClass = "";
  @Option(names = "--copies", description = "Use (creating it if needed) a class 'copies<N>' with this mindevcount.")
  int copies;
  @Option(names = "--no-read", negatable = false, description = "Skip the read phase.") boolean noRead;
  @Option(names = "--seed", description = "Seed of the payload and read order.") long seed = 42;
  @Option(names = "--warmup", description = "Files to write and read first, reported apart (default ${DEFAULT-VALUE}).")
  int warmup;
  @Option(names = "--read-passes", description = "Times the read phase reads every file, each pass in its own order"
      + " (default ${DEFAULT-VALUE}).")
  int readPasses = 1;

  @Override
  public Integer call() throws InterruptedException {
    if (count < 1 || size < 0 || concurrency < 1 || warmup < 0 || readPasses < 1) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT,
          "count, concurrency and read passes must be positive, size and warmup >= 0");
    }
    if ((long) count * readPasses > Integer.MAX_VALUE) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "count times read passes is too large");
    }
    Random random = new Random(seed);
    byte[] payload = new byte[size];
    random.nextBytes(payload);
    String prefix = "bench/" + Long.toString(System.currentTimeMillis(), 36) + "/";
    List<Map<String, Object>> results = new ArrayList<>();
    try (MogulClient client = global.client()) {
      if (copies > 0) {
        storageClass = ensureClass(client, copies);
      }
      PutOptions options = PutOptions.builder().storageClass(storageClass).build();
      if (warmup > 0) {
        phases(client, options, payload, random, prefix + "warmup/", warmup, "warm-up ", results);
      }
      phases(client, options, payload, random, prefix, count, "", results);
    }
    Output out = global.output();
    if (out.json()) {
      Map<String, Object> all = new LinkedHashMap<>();
      all.put("count", count);
      all.put("size", size);
      all.put("concurrency", concurrency);
      all.put("storageClass", storageClass);
      all.put("phases", results);
      out.printJson(all);
    } else {
      out.stream().printf("%d files of %d bytes, concurrency %d, domain %s, class %s%n%n", count, size,
          concurrency, domain, storageClass.isEmpty() ? "(default)" : storageClass);
      out.table(List.of("PHASE", "REQUESTS", "ERRORS", "SECONDS", "REQ/S", "MB/S", "P50 MS", "P95 MS", "P99 MS", "MAX MS"),
          results.stream().<List<?>>map(r -> List.of(r.get("phase"), r.get("requests"), r.get("errors"),
              r.get("seconds"), r.get("requestsPerSecond"), r.get("mbPerSecond"), r.get("p50Ms"), r.get("p95Ms"),
              r.get("p99Ms"), r.get("maxMs"))).toList());
      for (Map<String, Object> r : results) {
        if (r.get("firstError") != null) {
          out.stream().println(r.get("phase") + " first error: " + r.get("firstError"));
        }
      }
    }
    return results.stream().anyMatch(r -> (long) r.get("errors") > 0) ? ExitCodes.ERROR : ExitCodes.OK;
  }

  /** The write phase of {@code n} files under {@code prefix}, then (unless skipped) the read phase. */
  private void phases(MogulClient client, PutOptions options, byte[] payload, Random random, String prefix, int n,
                      String label, List<Map<String, Object>> results) throws InterruptedException {
    results.add(run(label + "write", n, i -> client.putAsync(domain, prefix + i, payload, options)));
    if (noRead) {
      return;
    }
    int reads = n * readPasses;
    int[] order = new int[reads];
    for (int pass = 0; pass < readPasses; pass++) {
      int base = pass * n;
      for (int i = 0; i < n; i++) {
        order[base + i] = i;
      }
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[base + i];
        order[base + i] = order[base + j];
        order[base + j] = t;
      }
    }
    results.add(run(label + "read", reads, i -> client.getAsync(domain, prefix + order[i]).thenApply(bytes -> {
      if (bytes.length != size) {
        throw new MogulException(ErrorReason.LENGTH_MISMATCH, "read " + bytes.length + " bytes, wrote " + size);
      }
      return bytes;
    })));
  }

  private String ensureClass(MogulClient client, int n) {
    String name = "copies" + n;
    try {
      client.admin(a -> a.createClass(ClassSpec.newBuilder().setDomain(domain).setName(name).setMindevcount(n).build()));
    } catch (MogulException e) {
      if (e.reason() != ErrorReason.CLASS_EXISTS) {
        throw e;
      }
    }
    return name;
  }

  private Map<String, Object> run(String phase, int n, IntFunction<CompletableFuture<?>> request)
      throws InterruptedException {
    Histogram latency = new ConcurrentHistogram(3);
    AtomicLong errors = new AtomicLong();
    AtomicLong done = new AtomicLong();
    String[] firstError = new String[1];
    Semaphore inFlight = new Semaphore(concurrency);
    Progress progress = new Progress(global.io(), (long) n * Math.max(size, 1));
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      long t0 = System.nanoTime();
      CompletableFuture<?> future;
      try {
        future = request.apply(i);
      } catch (RuntimeException e) {
        future = CompletableFuture.failedFuture(e);
      }
      future.whenComplete((value, error) -> {
        latency.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
        if (error != null) {
          errors.incrementAndGet();
          synchronized (firstError) {
            if (firstError[0] == null) {
              firstError[0] = String.valueOf(error.getCause() != null ? error.getCause().getMessage() : error.getMessage());
            }
          }
        }
        done.incrementAndGet();
        progress.add(Math.max(size, 1));
        inFlight.release();
      });
    }
    inFlight.acquire(concurrency);
    double seconds = (System.nanoTime() - start) / 1e9;
    progress.close();
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("phase", phase);
    r.put("requests", done.get());
    r.put("errors", errors.get());
    r.put("seconds", round(seconds));
    r.put("requestsPerSecond", round(done.get() / seconds));
    r.put("mbPerSecond", round((double) (done.get() - errors.get()) * size / seconds / 1e6));
    r.put("p50Ms", round(latency.getValueAtPercentile(50) / 1000.0));
    r.put("p95Ms", round(latency.getValueAtPercentile(95) / 1000.0));
    r.put("p99Ms", round(latency.getValueAtPercentile(99) / 1000.0));
    r.put("maxMs", round(latency.getMaxValue() / 1000.0));
    r.put("firstError", firstError[0]);
    return r;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
