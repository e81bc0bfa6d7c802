package io.mogul.meta.request;

import io.mogul.meta.store.MetaView;
import io.mogul.proto.ClassInfo;
import io.mogul.proto.DeviceInfo;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.DeviceState;
import io.mogul.proto.DomainInfo;
import io.mogul.proto.FileInfo;
import io.mogul.proto.HostInfo;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.DomainRecord;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.FileRecord;
import io.mogul.proto.meta.FileTally;
import io.mogul.proto.meta.HostRecord;

/** Stored records to API messages (admin state only; observed state is added by the services). */
public final class Infos {
  private Infos() {}

  public static DomainInfo domain(MetaView view, DomainRecord d) {
    FileTally tally = view.tally(d);
    DomainInfo.Builder b = DomainInfo.newBuilder()
        .setName(d.getName()).setFileCount(tally.getFileCount()).setByteCount(tally.getByteCount());
    for (ClassRecord c : view.classes(d.getName())) {
      b.addClasses(storageClass(view, c));
    }
    return b.build();
  }

  public static ClassInfo storageClass(MetaView view, ClassRecord c) {
    FileTally tally = view.tally(c);
    return ClassInfo.newBuilder().setDomain(c.getDomain()).setName(c.getName())
        .setMindevcount(c.getMindevcount()).setPolicy(c.getPolicy()).setHashType(c.getHashType())
        .setFileCount(tally.getFileCount()).setByteCount(tally.getByteCount()).build();
  }

  public static HostInfo host(HostRecord h) {
    return HostInfo.newBuilder().setHostId(h.getHostId()).setName(h.getName())
        .setAddress(h.getAddress()).setZone(h.getZone()).setState(h.getState()).build();
  }

  public static DeviceInfo device(MetaView view, DeviceRecord d, HostRecord host) {
    long files = view.tally(d).getFileCount();
    // Drained: what an operator waits for before taking the device out.
    return DeviceInfo.newBuilder().setDeviceId(d.getDeviceId()).setHostId(d.getHostId())
        .setState(d.getState()).setWeight(d.getWeight()).setCapacityBytes(d.getCapacityBytes())
        .setUsedBytes(d.getUsedBytes()).setReserveBytes(d.getReserveBytes())
        .setFileCount(files).setDrained(d.getState() == DeviceState.DEVICE_DRAIN && files == 0)
        .setHostAddress(host == null ? "" : host.getAddress()).build();
  }

  /** Where a device is served; an address-less location when its host is gone. */
  public static DeviceLocation location(MetaView view, int deviceId) {
    DeviceLocation.Builder b = DeviceLocation.newBuilder().setDeviceId(deviceId);
    DeviceRecord d = view.device(deviceId);
    if (d != null) {
      b.setHostId(d.getHostId());
      HostRecord h = view.host(d.getHostId());
      if (h != null) {
        b.setAddress(h.getAddress()).setZone(h.getZone());
      }
    }
    return b.build();
  }

  public static FileInfo file(MetaView view, String domain, String key, FileRecord f, FidRecord fid) {
    FileInfo.Builder b = FileInfo.newBuilder().setDomain(domain).setKey(key).setFid(f.getFid())
        .setStorageClass(f.getStorageClass()).setLength(f.getLength()).setCrc32C(f.getCrc32C())
        .setCreatedMs(f.getCreatedMs()).setContentType(f.getContentType())
        .putAllAttributes(f.getAttributesMap());
    if (fid != null) {
      for (int deviceId : fid.getDeviceIdsList()) {
        b.addLocations(location(view, deviceId));
      }
    }
    ClassRecord c = view.storageClass(domain, f.getStorageClass());
    if (c != null) {
      b.setMindevcount(c.getMindevcount());
    }
    return b.build();
  }
}
