package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.meta.store.MetaView;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.DomainRecord;
import io.mogul.proto.meta.FileRecord;
import io.mogul.proto.meta.HostRecord;
import java.util.Map;

/** Lookups that fail with the typed error of a missing entity, and shared input checks. */
public final class Rules {
  public static final String DEFAULT_CLASS = "default";
  public static final int MAX_MINDEVCOUNT = 16;
  public static final int MAX_CONTENT_TYPE = 256;

  private Rules() {}

  public static DomainRecord domain(MetaView view, String name) {
    Names.checkDomain(name);
    DomainRecord d = view.domain(name);
    if (d == null) {
      throw new MogulException(ErrorReason.UNKNOWN_DOMAIN, "no domain '" + name + "'");
    }
    return d;
  }

  public static ClassRecord storageClass(MetaView view, String domain, String name) {
    Names.checkClass(name);
    ClassRecord c = view.storageClass(domain, name);
    if (c == null) {
      throw new MogulException(ErrorReason.UNKNOWN_CLASS, "no class '" + name + "' in domain '" + domain + "'");
    }
    return c;
  }

  public static HostRecord host(MetaView view, int hostId) {
    HostRecord h = view.host(hostId);
    if (h == null) {
      throw new MogulException(ErrorReason.UNKNOWN_HOST, "no host " + hostId);
    }
    return h;
  }

  public static DeviceRecord device(MetaView view, int deviceId) {
    DeviceRecord d = view.device(deviceId);
    if (d == null) {
      throw new MogulException(ErrorReason.UNKNOWN_DEVICE, "no device " + deviceId);
    }
    return d;
  }

  public static FileRecord file(MetaView view, String domain, String key) {
    Names.checkKey(key);
    FileRecord f = view.file(domain, key);
    if (f == null) {
      throw new MogulException(ErrorReason.UNKNOWN_KEY, "no key '" + key + "' in domain '" + domain + "'");
    }
    return f;
  }

  /** An empty class name means the domain's default class. */
  public static String className(String name) {
    return name == null || name.isEmpty() ? DEFAULT_CLASS : name;
  }

  public static void checkAddress(String address) {
    int colon = address == null ? -1 : address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "address must be host:port, got '" + address + "'");
    }
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      if (port <= 0 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "bad port in address '" + address + "'");
    }
  }

  public static void checkZone(String zone) {
    if (zone != null && !zone.isEmpty()) {
      if (!Names.NAME.matcher(zone).matches()) {
        throw new MogulException(ErrorReason.INVALID_NAME, "invalid zone '" + zone + "': use 1-64 characters of a-z 0-9 . _ -");
      }
    }
  }

  public static void checkAttributes(Map<String, String> attributes) {
    if (attributes.size() > Names.MAX_ATTRIBUTES) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT,
          attributes.size() + " attributes; the limit is " + Names.MAX_ATTRIBUTES);
    }
    attributes.forEach(Names::checkAttribute);
  }

  public static void checkContentType(String contentType) {
    if (contentType.length() > MAX_CONTENT_TYPE) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "content type longer than " + MAX_CONTENT_TYPE);
    }
  }
}
