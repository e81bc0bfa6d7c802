package io.mogul.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything that shapes a chaos run. With the same settings and seed, the same faults
 * are chosen in the same order and the workload issues the same operations.
 *
 * @param baseDir where the cluster's data, logs and the report go
 * @param duration how long traffic and faults run
 * @param seed the one source of every random choice
 * @param workers concurrent workload threads
 * @param sharedKeys keys all workers contend on
 * @param maxValueBytes largest value written
 * @param faults fault names to draw from (see {@code FaultCatalog})
 * @param faultHold how long a fault stays in effect
 * @param quietPeriod traffic without faults between two faults
 * @param recoveryBound how long the cluster may take to serve again after a fault heals
 * @param replicationBound how long files may take to get back to mindevcount copies
 * @param datanodes datanode processes (trackers are always 3)
 * @param mindevcount copies per file
 * @param defectiveDatanodes start datanodes that acknowledge writes before storing them (harness self-test only)
 */
public record ChaosSettings(Path baseDir, Duration duration, long seed, int workers, int sharedKeys, int maxValueBytes,
    List<String> faults, Duration faultHold, Duration quietPeriod, Duration recoveryBound, Duration replicationBound,
    int datanodes, int mindevcount, boolean defectiveDatanodes) {

  /** The short scenario CI runs. */
  public static ChaosSettings ci(Path baseDir, long seed) {
    return new ChaosSettings(baseDir, Duration.ofSeconds(75), seed, 6, 8, 2 * 1024 * 1024,
        FaultCatalog.ALL, Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofSeconds(60),
        Duration.ofSeconds(90), 4, 2, false);
  }
}
