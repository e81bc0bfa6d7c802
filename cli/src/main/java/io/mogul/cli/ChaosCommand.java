package io.mogul.cli;

import io.mogul.chaos.ChaosRunner;
import io.mogul.chaos.ChaosSettings;
import io.mogul.chaos.FaultCatalog;
import io.mogul.chaos.report.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mogul chaos}: a seeded fault-injection run against a fresh local process cluster. */
@Command(name = "chaos", description = {
    "Start a local cluster (3 trackers, N datanodes), run a concurrent workload while injecting seeded faults,",
    "then check that nothing acknowledged was lost, corrupted or resurrected. Exit 0 on PASS, 3 on FAIL."})
final class ChaosCommand implements Callable<Integer> {
  @Option(names = "--duration", defaultValue = "2m", paramLabel = "DURATION",
      description = "How long traffic and faults run, e.g. 90s, 10m (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--seed", paramLabel = "N", description = "Seed of every random choice; printed, so a run can be replayed.")
  Long seed;

  @Option(names = "--dir", paramLabel = "DIR", description = "Where the cluster, logs and chaos-report.json go (default: a new temporary directory).")
  Path dir;

  @Option(names = "--workers", defaultValue = "8", description = "Concurrent workload threads (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--datanodes", defaultValue = "4", description = "Datanode processes (default: ${DEFAULT-VALUE}).")
  int datanodes;

  @Option(names = "--copies", defaultValue = "2", description = "mindevcount of the files written (default: ${DEFAULT-VALUE}).")
  int copies;

  @Option(names = "--max-size", defaultValue = "8388608", description = "Largest value in bytes (default: ${DEFAULT-VALUE}, 8 MiB).")
  int maxSize;

  @Option(names = "--faults", split = ",", paramLabel = "NAME", description = "Faults to draw from (default: all): ${COMPLETION-CANDIDATES}",
      completionCandidates = FaultNames.class)
  List<String> faults;

  @Option(names = "--hold", defaultValue = "5s", description = "How long each fault lasts (default: ${DEFAULT-VALUE}).")
  String hold;

  @Option(names = "--quiet", defaultValue = "5s", description = "Fault-free traffic between faults (default: ${DEFAULT-VALUE}).")
  String quiet;

  /** For --help: the fault names. */
  static final class FaultNames extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    FaultNames() {
      super(FaultCatalog.ALL);
    }
  }

  @Override
  public Integer call() throws Exception {
    long runSeed = seed != null ? seed : System.nanoTime();
    Path base = dir != null ? dir : Files.createTempDirectory("mogul-chaos-");
    List<String> chosen = faults == null || faults.isEmpty() ? FaultCatalog.ALL : faults;
    chosen.forEach(FaultCatalog::create); // rejects unknown names before anything starts
    ChaosSettings settings = new ChaosSettings(base, parse(duration), runSeed, workers, 16, maxSize, chosen,
        parse(hold), parse(quiet), Duration.ofSeconds(90), Duration.ofMinutes(5), datanodes, copies, false);
    Report report = new ChaosRunner(settings, System.out).run();
    return "PASS".equals(report.verdict()) ? ExitCodes.OK : ExitCodes.ERROR;
  }

  /** {@code 90s}, {@code 10m}, {@code 1h}, or ISO-8601 ({@code PT90S}). */
  static Duration parse(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (t.startsWith("pt")) {
        return Duration.parse(text);
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      return switch (t.charAt(t.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new IllegalArgumentException();
      };
    } catch (RuntimeException e) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new ChaosCommand()),
          "invalid duration '" + text + "': use e.g. 90s, 10m or 1h");
    }
  }
}
