package io.mogul.datanode.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class NeedleIndexTest {
  @Test
  void randomPutsAndRemovesMatchAReferenceMap() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    NeedleIndex index = new NeedleIndex();
    Map<Long, NeedleLocation> model = new HashMap<>();
    for (int i = 0; i < 200_000; i++) {
      long fid = 1 + r.nextInt(50_000);
      if (r.nextInt(3) == 0) {
        assertEquals(model.remove(fid) != null, index.remove(fid), "seed " + seed);
      } else {
        NeedleLocation loc = new NeedleLocation(fid, r.nextInt(1000), 8L * r.nextInt(1 << 30), r.nextInt(1 << 20),
            r.nextInt(4));
        model.put(fid, loc);
        index.put(loc);
      }
    }
    assertEquals(model.size(), index.size(), "seed " + seed);
    for (long fid = 1; fid <= 50_000; fid++) {
      assertEquals(model.get(fid), index.get(fid), "seed " + seed + " fid " + fid);
    }
  }

  @Test
  void fidsAfterPagesInUnsignedAscendingOrder() {
    NeedleIndex index = new NeedleIndex();
    TreeSet<Long> expected = new TreeSet<>(Long::compareUnsigned);
    Random r = new Random(7);
    for (int i = 0; i < 5000; i++) {
      long fid = r.nextLong() | 1;
      expected.add(fid);
      index.put(new NeedleLocation(fid, 1, 16, 10, 0));
    }
    long after = 0;
    int seen = 0;
    while (true) {
      long[] page = index.fidsAfter(after, 333);
      if (page.length == 0) {
        break;
      }
      long[] want = expected.tailSet(after, false).stream().limit(333).mapToLong(Long::longValue).toArray();
      assertArrayEquals(want, page);
      seen += page.length;
      after = page[page.length - 1];
    }
    assertEquals(expected.size(), seen);
  }
}
