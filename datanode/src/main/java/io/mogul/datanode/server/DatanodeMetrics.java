package io.mogul.datanode.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mogul.datanode.storage.Device;
import io.mogul.datanode.storage.Store;
import java.util.function.ToDoubleFunction;

/** Per-device capacity, usage, blob count and I/O load of a datanode. */
final class DatanodeMetrics {
  private DatanodeMetrics() {}

  static void bindDevices(MeterRegistry registry, Store store) {
    for (Device device : store.devices()) {
      int id = device.id();
      gauge(registry, "mogul.device.capacity", "bytes", "Size of the device's file system", store, id,
          Device::totalBytes);
      gauge(registry, "mogul.device.usable", "bytes", "Bytes still writable before the reserve", store, id,
          Device::usableBytes);
      gauge(registry, "mogul.device.blobs", null, "Blobs stored on the device", store, id, d -> d.index().size());
      gauge(registry, "mogul.device.io.load", null, "Share of time the device was busy with I/O", store, id,
          Device::ioLoad);
    }
  }

  private static void gauge(MeterRegistry registry, String name, String unit, String help, Store store, int id,
      ToDoubleFunction<Device> value) {
    Gauge.builder(name, store, s -> {
      Device d = s.device(id);
      return d == null ? Double.NaN : value.applyAsDouble(d);
    }).baseUnit(unit).description(help).tag("device", Integer.toString(id)).register(registry);
  }
}
