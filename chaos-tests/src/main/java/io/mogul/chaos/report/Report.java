package io.mogul.chaos.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mogul.chaos.validate.HistoryValidator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The outcome of one chaos run, written as JSON and printed as a summary table. */
public final class Report {
  /** One injected fault and how the cluster came back from it. */
  public record FaultRecord(String name, String target, long injectedAtMs, long healedAtMs, long recoveryMs,
      boolean recovered) {}

  /** Replica placement after the run. */
  public record Replication(long files, long underReplicated, long waitedMs, boolean converged) {}

  public long seed;
  public long durationMs;
  public Map<String, Object> settings = new TreeMap<>();
  public long operationsTried;
  public long operationsAcknowledged;
  public long operationsUnknown;
  public Map<String, Long> failedByReason = new TreeMap<>();
  public List<FaultRecord> faults = new ArrayList<>();
  public int keysChecked;
  public int keysLinearizable;
  public int keysUndecided;
  public List<HistoryValidator.Finding> nonLinearizable = List.of();
  public List<HistoryValidator.Finding> lost = List.of();
  public List<HistoryValidator.Finding> resurrected = List.of();
  public List<HistoryValidator.Finding> corrupt = List.of();
  public List<HistoryValidator.Finding> unreadable = new ArrayList<>();
  public Replication replication;
  public Boolean trackersIdentical;
  public String trackersDetail = "";
  public List<String> problems = new ArrayList<>();

  /** PASS only when nothing acknowledged was lost, corrupted or resurrected and every check held. */
  public String verdict() {
    boolean ok = nonLinearizable.isEmpty() && lost.isEmpty() && resurrected.isEmpty() && corrupt.isEmpty()
        && unreadable.isEmpty() && problems.isEmpty() && Boolean.TRUE.equals(trackersIdentical)
        && replication != null && replication.converged()
        && faults.stream().allMatch(FaultRecord::recovered);
    return ok ? "PASS" : "FAIL";
  }

  public String linearizability() {
    if (!nonLinearizable.isEmpty()) {
      return "NOT LINEARIZABLE (" + nonLinearizable.size() + " keys)";
    }
    return keysUndecided == 0 ? "linearizable" : "linearizable where decided (" + keysUndecided + " keys undecided)";
  }

  public void apply(HistoryValidator.Result r) {
    keysChecked = r.keysChecked();
    keysLinearizable = r.linearizableKeys();
    keysUndecided = r.undecidedKeys();
    nonLinearizable = r.nonLinearizable();
    lost = r.lost();
    resurrected = r.resurrected();
    corrupt = r.corrupt();
  }

  public void writeJson(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Map<String, Object> root = new TreeMap<>(json.convertValue(this, Map.class));
    root.put("verdict", verdict());
    root.put("linearizability", linearizability());
    json.writeValue(file.toFile(), root);
  }

  public void printSummary(PrintStream out) {
    out.println();
    out.printf("Mogul chaos run  seed=%d  duration=%.1fs  verdict=%s%n", seed, durationMs / 1000.0, verdict());
    out.println("----------------------------------------------------------------");
    row(out, "operations tried", operationsTried);
    row(out, "  acknowledged", operationsAcknowledged);
    row(out, "  outcome unknown", operationsUnknown);
    failedByReason.forEach((reason, n) -> row(out, "  failed: " + reason, n));
    row(out, "faults injected", faults.size());
    for (FaultRecord f : faults) {
      out.printf("  %-16s %-28s recovery %s%n", f.name(), truncate(f.target(), 28),
          f.recovered() ? f.recoveryMs() + " ms" : "NOT RECOVERED");
    }
    row(out, "keys checked", keysChecked);
    row(out, "lost", lost.size() + unreadable.size());
    row(out, "corrupt", corrupt.size());
    row(out, "resurrected", resurrected.size());
    out.printf("  %-28s %s%n", "linearizability", linearizability());
    if (replication != null) {
      out.printf("  %-28s %s%n", "copies back to mindevcount", replication.converged()
          ? "yes, after " + replication.waitedMs() + " ms" : "NO: " + replication.underReplicated() + " of "
          + replication.files() + " files short after " + replication.waitedMs() + " ms");
    }
    out.printf("  %-28s %s%n", "trackers hold identical state",
        trackersIdentical == null ? "not checked" : (trackersIdentical ? "yes" : "NO: " + trackersDetail));
    for (String p : problems) {
      out.println("  problem: " + p);
    }
    List<HistoryValidator.Finding> shown = new ArrayList<>(lost);
    shown.addAll(unreadable);
    shown.addAll(corrupt);
    shown.addAll(resurrected);
    shown.addAll(nonLinearizable);
    shown.stream().limit(20).forEach(f -> out.println("  " + f.kind() + " " + f.key() + ": " + f.detail()));
    out.printf("Replay with: mogul chaos --seed %d%n", seed);
  }

  private static void row(PrintStream out, String name, long value) {
    out.printf("  %-28s %d%n", name, value);
  }

  private static String truncate(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }
}
