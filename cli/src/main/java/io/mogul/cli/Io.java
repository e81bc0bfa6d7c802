package io.mogul.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command may touch of its surroundings: standard streams, environment and home
 * directory. Passed in rather than read from {@code System}, so tests run commands
 * in-process and capture everything they print.
 *
 * @param terminal whether stderr is an interactive terminal (progress bars only then)
 */
public record Io(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, Path home,
    boolean terminal) {

  /** The real process environment. */
  public static Io system() {
    return new Io(System.in, System.out, System.err, System.getenv(),
        Path.of(System.getProperty("user.home")), System.console() != null);
  }
}
