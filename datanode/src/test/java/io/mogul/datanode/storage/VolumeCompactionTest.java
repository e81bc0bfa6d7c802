package io.mogul.datanode.storage;

import static io.mogul.datanode.storage.StoreFixture.bytes;
import static io.mogul.datanode.storage.StoreFixture.config;
import static io.mogul.datanode.storage.StoreFixture.readAll;
import static io.mogul.datanode.storage.StoreFixture.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.common.MogulException;
import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.datanode.storage.format.VolumeFormat;
import io.mogul.proto.ErrorReason;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class VolumeCompactionTest {
  @TempDir Path dir;

  private static DatanodeConfig smallVolumes(Path dir) {
    DatanodeConfig c = config(dir);
    c.storage.volumeSizeBytes = 64 * 1024;
    return c;
  }

  @Test
  void compactionReclaimsGarbageAndKeepsLiveBlobs() throws Exception {
    DatanodeConfig c = smallVolumes(dir);
    Random r = new Random(11);
    Map<Long, byte[]> live = new ConcurrentHashMap<>();
    try (Store s = StoreFixture.open(c)) {
      for (long fid = 1; fid <= 200; fid++) {
        byte[] b = bytes(r, 1000);
        write(s, fid, b);
        live.put(fid, b);
      }
      for (long fid = 1; fid <= 200; fid += 3) {
        s.delete(1, fid).get();
        live.remove(fid);
      }
      long before = Files.size(dir.resolve("dev1").resolve(VolumeFormat.datName(1)));
      double ratio = s.device(1).volume(1).garbageRatio();
      assertTrue(ratio > 0.3, "garbage ratio " + ratio);
      VolumeCompactor.Result result = s.compact(1, 1);
      long after = Files.size(dir.resolve("dev1").resolve(VolumeFormat.datName(1)));
      assertTrue(after < before, before + " -> " + after);
      assertEquals(after, result.bytesAfter());
      assertEquals(0.0, s.device(1).volume(1).garbageRatio(), 0.0001);
      for (var e : live.entrySet()) {
        assertArrayEquals(e.getValue(), readAll(s, e.getKey()));
      }
    }
    try (Store s = StoreFixture.open(c)) {
      for (long fid = 1; fid <= 200; fid++) {
        if (live.containsKey(fid)) {
          assertArrayEquals(live.get(fid), readAll(s, fid));
        } else {
          long f = fid;
          assertEquals(ErrorReason.BLOB_NOT_FOUND, assertThrows(MogulException.class, () -> s.open(1, f)).reason());
        }
      }
    }
  }

  @Test
  void compactionRunsWhileReadsWritesAndDeletesContinue() throws Exception {
    long seed = System.nanoTime();
    DatanodeConfig c = smallVolumes(dir);
    Random r = new Random(seed);
    Map<Long, byte[]> live = new ConcurrentHashMap<>();
    try (Store s = StoreFixture.open(c)) {
      List<CompletableFuture<NeedleLocation>> writes = new ArrayList<>();
      for (long fid = 1; fid <= 600; fid++) {
        byte[] b = bytes(r, 200 + r.nextInt(800));
        live.put(fid, b);
        writes.add(s.writeSmall(1, fid, ByteBuffer.wrap(b)));
      }
      for (CompletableFuture<NeedleLocation> w : writes) {
        w.get();
      }
      List<CompletableFuture<Boolean>> deletes = new ArrayList<>();
      for (long fid = 1; fid <= 600; fid += 2) {
        deletes.add(s.delete(1, fid));
        live.remove(fid);
      }
      for (CompletableFuture<Boolean> d : deletes) {
        d.get();
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Random tr = new Random(seed + t);
        threads.add(new Thread(() -> {
          try {
            while (!stop.get()) {
              long fid = 2 + 2L * tr.nextInt(300);
              byte[] want = live.get(fid);
              if (want == null) {
                continue;
              }
              try {
                byte[] got = readAll(s, fid);
                if (!java.util.Arrays.equals(want, got) && live.containsKey(fid)) {
                  throw new AssertionError("wrong bytes for fid " + fid + " seed " + seed);
                }
              } catch (MogulException e) {
                if (e.reason() != ErrorReason.BLOB_NOT_FOUND || live.containsKey(fid)) {
                  throw e;
                }
              }
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }));
      }
      Random wr = new Random(seed + 99);
      threads.add(new Thread(() -> {
        try {
          long fid = 5000;
          while (!stop.get() && fid < 5200) { // bounded, so slow machines do not grow the work
            byte[] b = bytes(wr, 500);
            s.writeSmall(1, ++fid, ByteBuffer.wrap(b)).get();
            live.put(fid, b);
            // Delete a live blob of the early (compacting) volumes while the copy runs.
            long victim = 2 + 2L * wr.nextInt(300);
            if (live.remove(victim) != null) {
              s.delete(1, victim).get();
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }));
      threads.forEach(Thread::start);
      for (int round = 0; round < 2; round++) {
        for (Volume v : List.copyOf(s.device(1).volumes())) {
          if (s.device(1).isSealed(v)) {
            s.compact(1, v.id());
          }
        }
      }
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
      if (failure.get() != null) {
        throw new AssertionError("seed " + seed, failure.get());
      }
    }
    try (Store s = StoreFixture.open(c)) {
      assertEquals(live.size(), s.device(1).index().size(), "seed " + seed);
      for (var e : live.entrySet()) {
        assertArrayEquals(e.getValue(), readAll(s, e.getKey()), "seed " + seed);
      }
    }
  }

  @Test
  void crashBetweenTheRenamesOfACompactionLosesNothing() throws Exception {
    DatanodeConfig c = smallVolumes(dir);
    Random r = new Random(12);
    Map<Long, byte[]> live = new ConcurrentHashMap<>();
    Path idx = dir.resolve("dev1").resolve(VolumeFormat.idxName(1));
    byte[] staleIndex;
    try (Store s = StoreFixture.open(c)) {
      for (long fid = 1; fid <= 150; fid++) {
        byte[] b = bytes(r, 1000);
        write(s, fid, b);
        live.put(fid, b);
      }
      for (long fid = 1; fid <= 60; fid++) {
        s.delete(1, fid).get();
        live.remove(fid);
      }
      staleIndex = Files.readAllBytes(idx);
      s.compact(1, 1);
    }
    // As if the process died after the data file was renamed but before the index was.
    Files.write(idx, staleIndex);
    Files.write(dir.resolve("dev1").resolve("vol_2.cpd"), new byte[] {1, 2, 3});
    try (Store s = StoreFixture.open(c)) {
      assertEquals(live.size(), s.device(1).index().size());
      for (var e : live.entrySet()) {
        assertArrayEquals(e.getValue(), readAll(s, e.getKey()));
      }
      assertTrue(Files.notExists(dir.resolve("dev1").resolve("vol_2.cpd")));
    }
  }

  @Test
  void volumePastTheGarbageRatioIsCompactedInTheBackground() throws Exception {
    DatanodeConfig c = smallVolumes(dir);
    c.storage.compactionCheckIntervalMs = 1000;
    c.storage.compactionGarbageRatio = 0.5;
    Path dat = dir.resolve("dev1").resolve(VolumeFormat.datName(1));
    try (Store s = StoreFixture.open(c)) {
      for (long fid = 1; fid <= 150; fid++) {
        write(s, fid, new byte[1000]);
      }
      for (long fid = 1; fid <= 60; fid++) {
        s.delete(1, fid).get();
      }
      long before = Files.size(dat);
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (Files.size(dat) >= before) {
        assertTrue(System.nanoTime() < deadline, "volume 1 was not compacted in time");
        Thread.sleep(20);
      }
      for (long fid = 61; fid <= 150; fid++) {
        assertEquals(1000, readAll(s, fid).length);
      }
    }
  }
}
