package io.mogul.chaos.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.chaos.history.Op;
import io.mogul.chaos.history.Op.Kind;
import io.mogul.chaos.history.Op.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryValidatorTest {
  private final HistoryValidator validator = new HistoryValidator(100_000);
  private final List<Op> ops = new ArrayList<>();
  private long clock;

  private Op op(Kind kind, String key, String toKey, String value, Outcome outcome) {
    long invoke = clock += 10;
    long complete = outcome == Outcome.UNKNOWN ? Long.MAX_VALUE : (clock += 10);
    Op op = new Op(ops.size(), 0, kind, key, toKey, value, invoke, complete, outcome, null);
    ops.add(op);
    return op;
  }

  @Test
  void aCleanHistoryPasses() {
    op(Kind.PUT, "a", null, "v1", Outcome.OK);
    op(Kind.RENAME, "a", "b", "v1", Outcome.OK);
    op(Kind.PUT, "c", null, "v2", Outcome.OK);
    op(Kind.DELETE, "c", null, null, Outcome.OK);
    int finals = ops.size();
    op(Kind.GET, "a", null, null, Outcome.NOT_FOUND);
    op(Kind.GET, "b", null, "v1", Outcome.OK);
    op(Kind.GET, "c", null, null, Outcome.NOT_FOUND);
    HistoryValidator.Result r = validator.validate(ops, finals);
    assertTrue(r.passed(), r.toString());
    assertEquals(3, r.keysChecked());
  }

  @Test
  void anAcknowledgedPutMissingAtTheEndIsReportedLost() {
    op(Kind.PUT, "a", null, "v1", Outcome.OK);
    int finals = ops.size();
    op(Kind.GET, "a", null, null, Outcome.NOT_FOUND);
    HistoryValidator.Result r = validator.validate(ops, finals);
    assertEquals(1, r.lost().size(), r.toString());
    assertEquals(1, r.nonLinearizable().size());
  }

  @Test
  void aDeletedKeyComingBackIsReportedResurrected() {
    op(Kind.PUT, "a", null, "v1", Outcome.OK);
    op(Kind.DELETE, "a", null, null, Outcome.OK);
    int finals = ops.size();
    op(Kind.GET, "a", null, "v1", Outcome.OK);
    HistoryValidator.Result r = validator.validate(ops, finals);
    assertEquals(1, r.resurrected().size(), r.toString());
  }

  @Test
  void aRenameTargetMissingItsValueIsReportedLost() {
    op(Kind.PUT, "a", null, "v1", Outcome.OK);
    op(Kind.RENAME, "a", "b", "v1", Outcome.OK);
    int finals = ops.size();
    op(Kind.GET, "b", null, null, Outcome.NOT_FOUND);
    HistoryValidator.Result r = validator.validate(ops, finals);
    assertEquals(1, r.lost().size(), r.toString());
    assertEquals("b", r.lost().get(0).key());
  }

  @Test
  void bytesNobodyWroteAreReportedCorrupt() {
    op(Kind.PUT, "a", null, "v1", Outcome.OK);
    op(Kind.GET, "a", null, "garbage", Outcome.OK);
    HistoryValidator.Result r = validator.validate(ops, ops.size());
    assertEquals(1, r.corrupt().size(), r.toString());
  }

  @Test
  void anUnknownWriteMakesTheFinalValueAmbiguousButNotAFailure() {
    op(Kind.PUT, "a", null, "v1", Outcome.OK);
    op(Kind.PUT, "a", null, "v2", Outcome.UNKNOWN);
    int finals = ops.size();
    op(Kind.GET, "a", null, "v2", Outcome.OK);
    HistoryValidator.Result r = validator.validate(ops, finals);
    assertTrue(r.passed(), r.toString());
  }
}
