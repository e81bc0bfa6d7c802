package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.Setting;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/** The one registry of cluster settings: their names, defaults, value rules and meanings. */
public final class KnownSettings {
  /**
   * A setting's definition; {@code level} is the {@link FeatureLevel} that introduced it
   * (an older tracker rejects a setting it does not know).
   */
  public record Definition(String name, String defaultValue, Kind kind, String description, int level) {}

  /** How a value is checked. */
  public enum Kind { BOOLEAN, NON_NEGATIVE_INTEGER, DEVICE_LIST }

  private static final Map<String, Definition> DEFINITIONS = new LinkedHashMap<>();

  static {
    define("replication.enabled", "true", Kind.BOOLEAN,
        "re-replicate files that have fewer copies than their class's mindevcount");
    define("deletion.enabled", "true", Kind.BOOLEAN,
        "remove the blobs of deleted and replaced files from the datanodes");
    define("rebalance.enabled", "false", Kind.BOOLEAN,
        "move files from fuller to emptier devices in the background all the time, not only while a started"
        + " rebalance runs");
    define("deletion.delay_seconds", "0", Kind.NON_NEGATIVE_INTEGER,
        "how long a queued deletion waits before its blobs are removed");
    define("replication.max_bytes_per_second", "52428800", Kind.NON_NEGATIVE_INTEGER,
        "bandwidth re-replication, drain and fsck repairs may use, summed over all copies (0: unlimited)");
    define("replication.unreachable_grace_seconds", "900", Kind.NON_NEGATIVE_INTEGER,
        "how long a copy on a down or unreachable device still counts before the file is re-replicated");
    define("deletion.orphan_grace_seconds", "86400", Kind.NON_NEGATIVE_INTEGER,
        "a blob on a datanode that no file, upload or queued deletion knows is removed once this old");
    define("fsck.fids_per_second", "1000", Kind.NON_NEGATIVE_INTEGER,
        "how many fids the background fsck checks per second at most (0: unlimited)");
    define("rebalance.spread_percent", "10", Kind.NON_NEGATIVE_INTEGER,
        "rebalance stops once every writable device's usage (bytes of the files stored on it over its capacity)"
        + " is within this many percent of the mean usage (all bytes stored over all capacity):"
        + " 10 with a mean of 50% full allows 45% to 55%");
    define("rebalance.max_bytes_per_second", "10485760", Kind.NON_NEGATIVE_INTEGER,
        "bandwidth rebalance moves may use, apart from replication.max_bytes_per_second (0: unlimited)");
    define("list_keys.max_limit", "10000", Kind.NON_NEGATIVE_INTEGER,
        "most keys one list_keys call returns");
    define("rebalance.from_devices", "", Kind.DEVICE_LIST,
        "device ids rebalance may move files off, comma-separated (empty: every writable device)",
        FeatureLevel.REBALANCE_POLICY);
    define("rebalance.to_devices", "", Kind.DEVICE_LIST,
        "device ids rebalance may move files onto, comma-separated (empty: every writable device)",
        FeatureLevel.REBALANCE_POLICY);
    define("rebalance.limit_files", "0", Kind.NON_NEGATIVE_INTEGER,
        "a started rebalance ends once it has moved this many files (0: no limit)", FeatureLevel.REBALANCE_POLICY);
    define("rebalance.limit_bytes", "0", Kind.NON_NEGATIVE_INTEGER,
        "a started rebalance ends once it has moved this many bytes (0: no limit)", FeatureLevel.REBALANCE_POLICY);
  }

  private KnownSettings() {}

  private static void define(String name, String value, Kind kind, String description) {
    define(name, value, kind, description, FeatureLevel.BASE);
  }

  private static void define(String name, String value, Kind kind, String description, int level) {
    DEFINITIONS.put(name, new Definition(name, value, kind, description, level));
  }

  /** The feature level a tracker needs to know the setting; {@link FeatureLevel#BASE} for unknown names (refused anyway). */
  static int level(String name) {
    Definition d = DEFINITIONS.get(name);
    return d == null ? FeatureLevel.BASE : d.level();
  }

  /**
   * The device ids of a DEVICE_LIST value (empty: none listed): positive integers separated
   * by commas, blanks around them and empty items ignored.
   *
   * @throws NumberFormatException when an item is not a positive integer
   */
  public static SortedSet<Integer> devices(String value) {
    SortedSet<Integer> ids = new TreeSet<>();
    for (String part : value.split(",")) {
      String id = part.trim();
      if (id.isEmpty()) {
        continue;
      }
      int n = Integer.parseInt(id);
      if (n <= 0) {
        throw new NumberFormatException("not a device id: " + id);
      }
      ids.add(n);
    }
    return ids;
  }

  public static List<Definition> all() {
    return List.copyOf(DEFINITIONS.values());
  }

  public static Definition require(String name) {
    Definition d = DEFINITIONS.get(name);
    if (d == null) {
      throw new MogulException(ErrorReason.UNKNOWN_SETTING, "unknown setting '" + name + "'; known: " + DEFINITIONS.keySet());
    }
    return d;
  }

  /** Checks a value against its setting's rule and returns it in canonical form. */
  public static String check(Definition d, String value) {
    String v = value == null ? "" : value.trim();
    switch (d.kind()) {
      case BOOLEAN -> {
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
          throw new MogulException(ErrorReason.INVALID_ARGUMENT, d.name() + " takes true or false, got '" + value + "'");
        }
        return v.toLowerCase(Locale.ROOT);
      }
      case NON_NEGATIVE_INTEGER -> {
        try {
          long n = Long.parseLong(v);
          if (n < 0) {
            throw new NumberFormatException();
          }
          return Long.toString(n);
        } catch (NumberFormatException e) {
          throw new MogulException(ErrorReason.INVALID_ARGUMENT, d.name() + " takes a non-negative integer, got '" + value + "'");
        }
      }
      case DEVICE_LIST -> {
        try {
          return String.join(",", devices(v).stream().map(String::valueOf).toList());
        } catch (NumberFormatException e) {
          throw new MogulException(ErrorReason.INVALID_ARGUMENT, d.name() + " takes device ids separated by commas,"
              + " got '" + value + "'");
        }
      }
      default -> throw new IllegalStateException("kind " + d.kind());
    }
  }

  public static Setting toSetting(Definition d, String storedValue) {
    return Setting.newBuilder().setName(d.name())
        .setValue(storedValue == null ? d.defaultValue() : storedValue)
        .setDescription(d.description()).build();
  }
}
