package io.mogul.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tracker or datanode running as its own JVM, started from a config file written by
 * {@link ProcessCluster}. Output goes to a per-node log file. Only the process this object
 * started is ever signalled.
 */
public final class NodeProcess {
  private static final Logger LOG = LoggerFactory.getLogger(NodeProcess.class);

  /** What the node runs. */
  public enum Role { TRACKER, DATANODE }

  private final String name;
  private final Role role;
  private final String address;
  private final String metricsAddress;
  private final Path config;
  private final Path logFile;
  private final List<String> javaCommand;
  private Process process;
  /** Set by start, cleared by stop and kill: a process that ends while wanted crashed. */
  private boolean wanted;

  NodeProcess(String name, Role role, String address, String metricsAddress, Path config, Path logFile,
      List<String> javaCommand) {
    this.name = name;
    this.role = role;
    this.address = address;
    this.metricsAddress = metricsAddress;
    this.config = config;
    this.logFile = logFile;
    this.javaCommand = List.copyOf(javaCommand);
  }

  public String name() {
    return name;
  }

  public Role role() {
    return role;
  }

  /** Client gRPC address (host:port). */
  /** host:port serving this node's Prometheus metrics at /metrics. */
  public String metricsAddress() {
    return metricsAddress;
  }

  public String address() {
    return address;
  }

  public Path logFile() {
    return logFile;
  }

  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** True when the process was started and ended without being stopped or killed. */
  public synchronized boolean crashed() {
    return wanted && process != null && !process.isAlive();
  }

  /** Operating-system process id, or -1 when not running. */
  public synchronized long pid() {
    return isAlive() ? process.pid() : -1;
  }

  /** Starts the process; a no-op when it is already running. */
  public synchronized void start() throws IOException {
    if (isAlive()) {
      return;
    }
    List<String> command = new ArrayList<>(javaCommand);
    command.add(role == Role.TRACKER ? "io.mogul.meta.server.TrackerMain" : "io.mogul.datanode.server.DatanodeMain");
    command.add("--config");
    command.add(config.toString());
    wanted = true;
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .start();
    LOG.info("started {} (pid {}) at {}, log {}", name, process.pid(), address, logFile);
  }

  /** SIGTERM, then waits for a clean exit; SIGKILL if it takes longer than {@code grace}. */
  public synchronized void stop(Duration grace) throws InterruptedException {
    wanted = false;
    if (!isAlive()) {
      return;
    }
    resume();
    process.destroy();
    if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warn("{} did not stop within {}; killing it", name, grace);
      process.destroyForcibly().waitFor();
    }
  }

  public void stop() throws InterruptedException {
    stop(Duration.ofSeconds(15));
  }

  /** SIGKILL: the node gets no chance to clean up. */
  public synchronized void kill() throws InterruptedException {
    wanted = false;
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor();
    }
  }

  /** SIGSTOP: the process freezes with its sockets open, like a hung machine. */
  public synchronized void pause() {
    signal("-STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  public synchronized void resume() {
    signal("-CONT");
  }

  /** Stops (gracefully) and starts again with the same config, data and ports. */
  public synchronized void restart() throws IOException, InterruptedException {
    stop();
    start();
  }

  private void signal(String signal) {
    if (!isAlive()) {
      return;
    }
    try {
      Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill " + signal + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling " + name, e);
    }
  }

  @Override
  public String toString() {
    return name + "@" + address;
  }
}
