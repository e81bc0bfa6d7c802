package io.mogul.cli.admin;

import io.mogul.common.MogulException;
import io.mogul.proto.DeviceInfo;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.HostState;
import io.mogul.proto.ReplicationPolicy;
import java.util.Locale;

/** Parses and prints the short names operators type: alive, readonly, drain, down, dead. */
final class States {
  private States() {}

  static DeviceState device(String name) {
    try {
      return DeviceState.valueOf("DEVICE_" + name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT,
          "unknown device state '" + name + "'; use alive, readonly, drain, down or dead");
    }
  }

  static HostState host(String name) {
    try {
      return HostState.valueOf("HOST_" + name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT,
          "unknown host state '" + name + "'; use alive, readonly, down or dead");
    }
  }

  static ReplicationPolicy policy(String name) {
    String n = name.toUpperCase(Locale.ROOT).replace('-', '_');
    return switch (n) {
      case "MULTIPLE_HOSTS", "MULTIPLEHOSTS", "HOSTS" -> ReplicationPolicy.MULTIPLE_HOSTS;
      case "MULTIPLE_DEVICES", "MULTIPLEDEVICES", "DEVICES" -> ReplicationPolicy.MULTIPLE_DEVICES;
      case "ZONE_AWARE", "ZONEAWARE", "ZONES" -> ReplicationPolicy.ZONE_AWARE;
      default -> throw new MogulException(ErrorReason.INVALID_ARGUMENT,
          "unknown replication policy '" + name + "'; use multiple-hosts, multiple-devices or zone-aware");
    };
  }

  /** A device's state; a drain that has moved every file off says so: {@code drain (empty)}. */
  static String show(DeviceInfo device) {
    return show(device.getState()) + (device.getDrained() ? " (empty)" : "");
  }

  static String show(Enum<?> state) {
    String n = state.name();
    int cut = n.indexOf('_');
    return (n.startsWith("DEVICE_") || n.startsWith("HOST_") ? n.substring(cut + 1) : n)
        .toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
