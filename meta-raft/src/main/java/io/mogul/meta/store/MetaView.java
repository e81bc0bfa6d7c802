package io.mogul.meta.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeletionRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.DomainRecord;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.FileRecord;
import io.mogul.proto.meta.FileTally;
import io.mogul.proto.meta.HostRecord;
import io.mogul.proto.meta.OpenUpload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Typed reads of the tracker state over any {@link KvReader} (the store or a transaction). */
public final class MetaView {
  private final KvReader kv;

  public MetaView(KvReader kv) {
    this.kv = kv;
  }

  public KvReader kv() {
    return kv;
  }

  private static <T> T parse(Parser<T> parser, byte[] raw, String what) {
    if (raw == null) {
      return null;
    }
    try {
      return parser.parseFrom(raw);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException("corrupt " + what + " record", e);
    }
  }

  public DomainRecord domain(String name) {
    // Every upload and lookup checks its domain and class: over the committed store they
    // come from maps kept until domains or classes change.
    if (kv instanceof MetaStore store) {
      return store.<Map<String, DomainRecord>>memo("domainsByName", Table.DOMAINS,
          s -> index(new MetaView(s).domains(), DomainRecord::getName)).get(name);
    }
    return parse(DomainRecord.parser(), kv.get(Table.DOMAINS, Keys.utf8(name)), "domain");
  }

  public List<DomainRecord> domains() {
    List<DomainRecord> out = new ArrayList<>();
    kv.scan(Table.DOMAINS, new byte[0], null, (k, v) -> out.add(parse(DomainRecord.parser(), v, "domain")));
    return out;
  }

  public ClassRecord storageClass(String domain, String name) {
    if (kv instanceof MetaStore store) {
      return store.<Map<String, ClassRecord>>memo("classesByName", Table.CLASSES,
          s -> index(new MetaView(s).classes(null), c -> c.getDomain() + "\0" + c.getName()))
          .get(domain + "\0" + name);
    }
    return parse(ClassRecord.parser(), kv.get(Table.CLASSES, Keys.pair(domain, name)), "class");
  }

  /** The records by {@code key}, as an immutable map. */
  private static <K, R> Map<K, R> index(List<R> records, Function<R, K> key) {
    Map<K, R> out = new HashMap<>();
    for (R r : records) {
      out.put(key.apply(r), r);
    }
    return Map.copyOf(out);
  }

  /** Classes of one domain, or of all domains when {@code domain} is null. */
  public List<ClassRecord> classes(String domain) {
    List<ClassRecord> out = new ArrayList<>();
    byte[] prefix = domain == null ? new byte[0] : Keys.prefix(domain);
    kv.scan(Table.CLASSES, prefix, null, (k, v) -> out.add(parse(ClassRecord.parser(), v, "class")));
    return out;
  }

  public HostRecord host(int hostId) {
    // Every lookup answer and every placement names the hosts and devices of its copies:
    // over the committed store they come from maps kept until hosts or devices change.
    if (kv instanceof MetaStore store) {
      return store.<Map<Integer, HostRecord>>memo("hostsById", Table.HOSTS,
          s -> index(hosts(), HostRecord::getHostId))
          .get(hostId);
    }
    return parse(HostRecord.parser(), kv.get(Table.HOSTS, Keys.u32(hostId)), "host");
  }

  public List<HostRecord> hosts() {
    // Placement reads every host and device per upload: over the committed store the
    // parsed lists are kept until hosts or devices change.
    if (kv instanceof MetaStore store) {
      return new ArrayList<>(store.memo("hosts", Table.HOSTS, s -> List.copyOf(scanHosts(s))));
    }
    return scanHosts(kv);
  }

  private static List<HostRecord> scanHosts(KvReader kv) {
    List<HostRecord> out = new ArrayList<>();
    kv.scan(Table.HOSTS, new byte[0], null, (k, v) -> out.add(parse(HostRecord.parser(), v, "host")));
    return out;
  }

  public HostRecord hostByName(String name) {
    for (HostRecord h : hosts()) {
      if (h.getName().equals(name)) {
        return h;
      }
    }
    return null;
  }

  public DeviceRecord device(int deviceId) {
    if (kv instanceof MetaStore store) {
      return store.<Map<Integer, DeviceRecord>>memo("devicesById", Table.DEVICES,
          s -> index(devices(), DeviceRecord::getDeviceId)).get(deviceId);
    }
    return parse(DeviceRecord.parser(), kv.get(Table.DEVICES, Keys.u32(deviceId)), "device");
  }

  public List<DeviceRecord> devices() {
    if (kv instanceof MetaStore store) {
      return new ArrayList<>(store.memo("devices", Table.DEVICES, s -> List.copyOf(scanDevices(s))));
    }
    return scanDevices(kv);
  }

  private static List<DeviceRecord> scanDevices(KvReader kv) {
    List<DeviceRecord> out = new ArrayList<>();
    kv.scan(Table.DEVICES, new byte[0], null, (k, v) -> out.add(parse(DeviceRecord.parser(), v, "device")));
    return out;
  }

  public List<DeviceRecord> devicesOfHost(int hostId) {
    List<DeviceRecord> out = new ArrayList<>();
    for (DeviceRecord d : devices()) {
      if (d.getHostId() == hostId) {
        out.add(d);
      }
    }
    return out;
  }

  public FileRecord file(String domain, String key) {
    return parse(FileRecord.parser(), kv.get(Table.FILES, Keys.pair(domain, key)), "file");
  }

  public FidRecord fid(long fid) {
    return parse(FidRecord.parser(), kv.get(Table.FIDS, Keys.u64(fid)), "fid");
  }

  public OpenUpload upload(long fid) {
    return parse(OpenUpload.parser(), kv.get(Table.UPLOADS, Keys.u64(fid)), "upload");
  }

  public DeletionRecord deletion(long fid) {
    return parse(DeletionRecord.parser(), kv.get(Table.DELETIONS, Keys.u64(fid)), "deletion");
  }

  public String setting(String name) {
    byte[] raw = kv.get(Table.SETTINGS, Keys.utf8(name));
    return raw == null ? null : Keys.string(raw);
  }

  /** Files and bytes of domain {@code d}. */
  public FileTally tally(DomainRecord d) {
    return tally(Keys.domainTally(d.getName()), d.getFileCount(), d.getByteCount());
  }

  /** Files and bytes of class {@code c}. */
  public FileTally tally(ClassRecord c) {
    return tally(Keys.classTally(c.getDomain(), c.getName()), c.getFileCount(), c.getByteCount());
  }

  /** Files on device {@code d} (its byte count is not kept). */
  public FileTally tally(DeviceRecord d) {
    return tally(Keys.deviceTally(d.getDeviceId()), d.getFileCount(), 0);
  }

  /** The stored tally, or for a store older than tallies the counts its record still holds. */
  private FileTally tally(byte[] key, long recordFiles, long recordBytes) {
    FileTally t = parse(FileTally.parser(), kv.get(Table.COUNTS, key), "tally");
    return t != null ? t : FileTally.newBuilder().setFileCount(recordFiles).setByteCount(recordBytes).build();
  }

  public long counter(byte[] name) {
    byte[] raw = kv.get(Table.META, name);
    return raw == null ? 0 : Keys.readU64(raw);
  }

  public long count(Table table) {
    long[] n = {0};
    kv.scan(table, new byte[0], null, (k, v) -> {
      n[0]++;
      return true;
    });
    return n[0];
  }
}
