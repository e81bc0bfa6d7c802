package io.mogul.cli;

import io.mogul.client.MogulClient;
import io.mogul.client.RetryPolicy;
import io.mogul.common.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Options every client command accepts. Trackers come from {@code --trackers}, else the
 * {@code MOGUL_TRACKERS} environment variable, else {@code ~/.mogul.yaml}, else the
 * sandbox's addresses on this machine. The options may be given before the subcommand
 * name too ({@code mogul --json admin check}): a command falls back to its parents' values.
 */
public class GlobalOptions {
  /** Where {@code ./mogul sandbox} puts its trackers when those ports are free. */
  public static final List<String> SANDBOX_TRACKERS =
      List.of("127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003");

  private final Io io;

  @Spec(Spec.Target.MIXEE) CommandSpec mixee;

  @Option(names = {"-t", "--trackers"}, paramLabel = "HOST:PORT[,...]",
      description = "Tracker addresses (default: $MOGUL_TRACKERS, ~/.mogul.yaml, then the local sandbox).")
  String trackers;

  @Option(names = "--json", description = "Print machine-readable JSON.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, description = "Print stack traces with errors.")
  boolean verbose;

  @Option(names = "--stale-reads", description = "Let any tracker answer lookups (get, cat, ls, info) from its "
      + "own replica: they may miss the newest writes, but spread over all trackers and work without a leader.")
  boolean staleReads;

  public GlobalOptions(Io io) {
    this.io = io;
  }

  public Io io() {
    return io;
  }

  public boolean json() {
    return json || parents().stream().anyMatch(p -> p.json);
  }

  /** The same options given on enclosing commands, nearest first. */
  private java.util.List<GlobalOptions> parents() {
    java.util.List<GlobalOptions> found = new java.util.ArrayList<>();
    for (CommandSpec c = mixee == null ? null : mixee.parent(); c != null; c = c.parent()) {
      for (CommandSpec mixin : c.mixins().values()) {
        if (mixin.userObject() instanceof GlobalOptions g) {
          found.add(g);
        }
      }
    }
    return found;
  }

  private String trackerOption() {
    if (trackers != null && !trackers.isBlank()) {
      return trackers;
    }
    return parents().stream().map(p -> p.trackers).filter(t -> t != null && !t.isBlank()).findFirst().orElse(null);
  }

  public Output output() {
    return new Output(io.out(), json());
  }

  ClientSettings settings() {
    Path file = io.home().resolve(".mogul.yaml");
    ClientSettings settings = Files.isRegularFile(file)
        ? ConfigLoader.load(file, List.of(), ClientSettings.class) : new ClientSettings();
    String option = trackerOption();
    if (option != null) {
      settings.trackers = split(option);
    } else if (io.env().get("MOGUL_TRACKERS") != null && !io.env().get("MOGUL_TRACKERS").isBlank()) {
      settings.trackers = split(io.env().get("MOGUL_TRACKERS"));
    } else if (settings.trackers.isEmpty()) {
      settings.trackers = SANDBOX_TRACKERS;
    }
    if (staleReads || parents().stream().anyMatch(p -> p.staleReads)) {
      settings.staleReads = true;
    }
    return settings;
  }

  private static List<String> split(String list) {
    return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** A client configured from these options; the caller closes it. */
  public MogulClient client() {
    ClientSettings s = settings();
    return MogulClient.builder().trackers(s.trackers)
        .callTimeout(Duration.ofMillis(s.callTimeoutMs))
        .operationTimeout(Duration.ofMillis(s.operationTimeoutMs))
        .retryPolicy(new RetryPolicy(s.retryAttempts, Duration.ofMillis(50), Duration.ofSeconds(1),
            Duration.ofMillis(s.retryTimeoutMs)))
        .staleReads(s.staleReads)
        .build();
  }
}
