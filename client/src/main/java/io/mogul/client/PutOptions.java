package io.mogul.client;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.proto.ErrorReason;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Optional settings of a put: the storage class (empty means the domain's default class),
 * a content type and attributes (FastDFS-style key=value metadata).
 */
public final class PutOptions {
  public static final PutOptions DEFAULT = new PutOptions("", "", Map.of(), null);

  private final String storageClass;
  private final String contentType;
  private final Map<String, String> attributes;
  private final LongConsumer progress;

  private PutOptions(String storageClass, String contentType, Map<String, String> attributes,
      LongConsumer progress) {
    this.storageClass = storageClass;
    this.contentType = contentType;
    this.attributes = Map.copyOf(attributes);
    this.progress = progress;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String storageClass() {
    return storageClass;
  }

  public String contentType() {
    return contentType;
  }

  public Map<String, String> attributes() {
    return attributes;
  }

  /** Told the bytes of the first copy as they are streamed (null: nobody listens). */
  public LongConsumer progress() {
    return progress;
  }

  /** Builds {@link PutOptions}; attribute names and values are checked against {@link Names}. */
  public static final class Builder {
    private String storageClass = "";
    private String contentType = "";
    private final Map<String, String> attributes = new LinkedHashMap<>();
    private LongConsumer progress;

    public Builder storageClass(String storageClass) {
      this.storageClass = storageClass == null ? "" : storageClass;
      return this;
    }

    public Builder contentType(String contentType) {
      this.contentType = contentType == null ? "" : contentType;
      return this;
    }

    public Builder attribute(String name, String value) {
      Names.checkAttribute(name, value);
      attributes.put(name, value);
      return this;
    }

    /** Receives the number of bytes of each chunk of the first copy once it is sent. */
    public Builder progress(LongConsumer listener) {
      this.progress = listener;
      return this;
    }

    public PutOptions build() {
      if (!storageClass.isEmpty()) {
        Names.checkClass(storageClass);
      }
      if (attributes.size() > Names.MAX_ATTRIBUTES) {
        throw new MogulException(ErrorReason.INVALID_ARGUMENT,
            attributes.size() + " attributes; the limit is " + Names.MAX_ATTRIBUTES);
      }
      return new PutOptions(storageClass, contentType, attributes, progress);
    }
  }
}
