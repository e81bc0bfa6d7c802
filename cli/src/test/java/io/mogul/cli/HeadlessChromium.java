package io.mogul.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless Chromium, for looking at pages the way a person's browser shows them.
 * When it is missing and this is a Debian machine where we are root (CI, the project's
 * machines), the package is installed first.
 */
final class HeadlessChromium {
  private static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/chromium"),
      Path.of("/usr/bin/chromium-browser"));

  private HeadlessChromium() {}

  static Path ensureInstalled() throws IOException, InterruptedException {
    Path found = find();
    if (found == null && Files.isExecutable(Path.of("/usr/bin/apt-get")) && isRoot()) {
      if (run(List.of("apt-get", "install", "-y", "-q", "chromium"), 600) != 0) {
        run(List.of("apt-get", "update", "-q"), 300);
        run(List.of("apt-get", "install", "-y", "-q", "chromium"), 600);
      }
      found = find();
    }
    Assumptions.assumeTrue(found != null,
        "headless Chromium is not installed and cannot be installed here (apt-get install chromium)");
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

  private static int run(List<String> command, int seconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
