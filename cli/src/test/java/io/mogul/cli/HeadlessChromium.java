package io.mogul.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless Chromium, for looking at pages the way a person's browser shows them.
 * When it is missing and this is a Debian machine where we are root (CI, the project's
 * machines), the package is installed first. On CI (the {@code CI} environment variable is
 * {@code true}) a Chromium that is missing and cannot be installed fails the test: a
 * browser check that silently skips there would never run anywhere.
 */
final class HeadlessChromium {
  private static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/chromium"),
      Path.of("/usr/bin/chromium-browser"));
  /** Bound on one apt-get run; the three runs together stay inside {@link #INSTALL_BUDGET}. */
  private static final Duration APT_RUN = Duration.ofMinutes(4);
  /** Longest {@link #ensureInstalled} takes: callers give their install step at least this. */
  static final Duration INSTALL_BUDGET = APT_RUN.multipliedBy(3);

  private HeadlessChromium() {}

  /**
   * Returns the Chromium binary, installing Debian's package first when it is missing and
   * we are root with apt-get (trying {@code apt-get update} when the first install fails,
   * e.g. for lack of package lists). Takes at most {@link #INSTALL_BUDGET}.
   *
   * @throws org.opentest4j.TestAbortedException when there is no Chromium and this is not CI (the test is skipped)
   * @throws AssertionError when there is no Chromium on CI
   */
  static Path ensureInstalled() throws IOException, InterruptedException {
    Path found = find();
    StringBuilder log = new StringBuilder();
    if (found == null && Files.isExecutable(Path.of("/usr/bin/apt-get")) && isRoot()) {
      List<String> install = List.of("apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium");
      if (run(install, log) != 0) {
        run(List.of("apt-get", "update", "-q"), log);
        run(install, log);
      }
      found = find();
    }
    if (found == null) {
      String why = "headless Chromium is not installed and cannot be installed here (as root: apt-get install chromium)"
          + (log.length() == 0 ? "" : "; apt-get said:\n" + tail(log.toString(), 4000));
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail("CI=true, so the browser check must run: " + why);
      }
      Assumptions.assumeTrue(false, why);
    }
    return found;
  }

  /**
   * Loads {@code url}, lets its scripts run for up to {@code scriptMillis} of virtual time,
   * and returns the resulting DOM as HTML.
   */
  static String dumpDom(Path chromium, String url, int scriptMillis, Path profile) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=" + scriptMillis, "--dump-dom", url)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("chromium did not finish loading " + url);
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  private static Path find() {
    return CANDIDATES.stream().filter(Files::isExecutable).findFirst().orElse(null);
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Runs an apt-get command non-interactively within {@link #APT_RUN}, appending its output to {@code log}. */
  private static int run(List<String> command, StringBuilder log) throws IOException, InterruptedException {
    ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
    b.environment().put("DEBIAN_FRONTEND", "noninteractive");
    Path output = Files.createTempFile("apt-get", ".log");
    try {
      Process p = b.redirectOutput(output.toFile()).start();
      boolean done = p.waitFor(APT_RUN.toSeconds(), TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      log.append("$ ").append(String.join(" ", command)).append('\n').append(new String(Files.readAllBytes(output), StandardCharsets.UTF_8));
      if (!done) {
        log.append("(gave up after ").append(APT_RUN.toSeconds()).append(" s)\n");
        return -1;
      }
      return p.exitValue();
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String tail(String s, int max) {
    return s.length() <= max ? s : "..." + s.substring(s.length() - max);
  }
}
