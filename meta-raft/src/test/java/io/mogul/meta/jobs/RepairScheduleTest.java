package io.mogul.meta.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.meta.jobs.RepairSchedule.Candidate;
import io.mogul.meta.jobs.RepairSchedule.Take;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The order re-replication repairs in: most endangered first across windows, deterministic within. */
@Timeout(10)
class RepairScheduleTest {
  private static final long SEED = 77L;
  private static final int WINDOW = 10;

  /** The fids needing work and their counted copies; a repaired fid leaves. */
  private final TreeMap<Long, Integer> table = new TreeMap<>();
  private final List<Long> repaired = new ArrayList<>();

  /** One round as the job runs it: scan a window after the cursor, take, repair what was taken. */
  private Take round(RepairSchedule schedule, long tableEnd) {
    long after = schedule.cursor();
    long last = Math.min(after + WINDOW, tableEnd);
    List<Candidate> candidates = new ArrayList<>();
    for (Map.Entry<Long, Integer> e : table.subMap(after, false, last, true).entrySet()) {
      candidates.add(new Candidate(e.getKey(), e.getValue()));
    }
    Take take = schedule.take(candidates, last, last == tableEnd);
    for (long fid : take.fids()) {
      table.remove(fid);
      repaired.add(fid);
    }
    return take;
  }

  @Test
  void filesWithOneCopyLeftAreRepairedBeforeFilesWithTwoEvenInALaterWindow() {
    // Fids 1..100 in ten windows; the early windows hold files with two of three copies,
    // the last window files with one copy and one with none.
    for (long fid = 1; fid <= 30; fid++) {
      table.put(fid, 2);
    }
    table.put(95L, 1);
    table.put(97L, 0);
    table.put(99L, 1);
    RepairSchedule schedule = new RepairSchedule(256);
    Take take;
    do {
      take = round(schedule, 100);
    } while (!take.passEnded());
    assertEquals(33, repaired.size(), "every fid repaired in one pass: " + repaired);
    assertEquals(List.of(97L, 95L, 99L), repaired.subList(0, 3), "the endangered ones first: " + repaired);
    assertEquals(LongStream.rangeClosed(1, 30).boxed().toList(), repaired.subList(3, 33));
    assertTrue(take.passFoundWork());
  }

  @Test
  void withinEqualUrgencyTheOrderIsByFidWhateverTheScanOrder() {
    List<Candidate> candidates = new ArrayList<>();
    for (long fid = 1; fid <= 40; fid++) {
      candidates.add(new Candidate(fid * 3, fid % 2 == 0 ? 1 : 2));
    }
    Collections.shuffle(candidates, new Random(SEED));
    RepairSchedule first = new RepairSchedule(8);
    RepairSchedule second = new RepairSchedule(8);
    Take a = first.take(candidates, 200, false);
    Collections.shuffle(candidates, new Random(SEED + 1));
    Take b = second.take(candidates, 200, false);
    assertEquals(List.of(6L, 12L, 18L, 24L, 30L, 36L, 42L, 48L), a.fids(), "one copy left, ascending fids");
    assertEquals(a.fids(), b.fids(), "the same work in the same order");
    assertEquals(0, first.cursor(), "more due than the limit: the window is scanned again");
  }

  @Test
  void aNewlyEndangeredFileBehindTheCursorGoesFirstAfterARestart() {
    for (long fid = 1; fid <= 50; fid++) {
      if (fid != 5) {
        table.put(fid, 2);
      }
    }
    RepairSchedule schedule = new RepairSchedule(256);
    for (int i = 0; i < 12; i++) {
      round(schedule, 100); // the urgent sweep finds nothing urgent, the full sweep repairs 1..20
    }
    assertEquals(20, schedule.cursor());
    repaired.clear();
    table.put(5L, 1); // a device died: fid 5, behind the cursor, has one copy left
    schedule.restart();
    Take take;
    do {
      take = round(schedule, 100);
    } while (!take.passEnded());
    assertEquals(5L, repaired.get(0), "repaired in order: " + repaired);
    assertEquals(31, repaired.size(), repaired.toString());
  }

  @Test
  void fidsThatCannotBeRepairedDoNotHoldTheCursorForever() {
    RepairSchedule schedule = new RepairSchedule(2);
    List<Candidate> stuck = List.of(new Candidate(1, 0), new Candidate(2, 0), new Candidate(3, 0));
    Take first = schedule.take(stuck, 10, false);
    assertEquals(List.of(1L, 2L), first.fids());
    assertEquals(0, schedule.cursor(), "more work than the limit: scanned again");
    schedule.take(stuck, 10, false);
    assertEquals(10, schedule.cursor(), "the same fids again: nothing came of it, move on");
  }

  @Test
  void aPassWithoutWorkEndsAfterOneSweep() {
    RepairSchedule schedule = new RepairSchedule(256);
    Take take = schedule.take(List.of(), 10, false);
    assertFalse(take.passEnded());
    take = schedule.take(List.of(), 20, true);
    assertTrue(take.passEnded() && !take.passFoundWork(), take.toString());
    assertTrue(schedule.atPassStart());
  }
}
