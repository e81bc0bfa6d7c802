package io.mogul.meta.store;

import java.nio.charset.StandardCharsets;

/** The RocksDB column families of the tracker state, one per entity. */
public enum Table {
  /** domain name -> DomainRecord */
  DOMAINS("domains"),
  /** domain \0 class -> ClassRecord */
  CLASSES("classes"),
  /** host id (u32) -> HostRecord */
  HOSTS("hosts"),
  /** device id (u32) -> DeviceRecord */
  DEVICES("devices"),
  /** domain \0 key -> FileRecord; a domain's keys are one contiguous range */
  FILES("files"),
  /** fid (u64) -> FidRecord with the locations */
  FIDS("fids"),
  /** fid (u64) -> DeletionRecord */
  DELETIONS("deletions"),
  /** fid (u64) -> OpenUpload */
  UPLOADS("uploads"),
  /** setting name -> value (UTF-8) */
  SETTINGS("settings"),
  /** counters and the applied position */
  META("meta"),
  /**
   * Answers to recent client-tagged commands: "i" + request id -> RememberedResult, and
   * "t" + time (u64) + request id -> empty, the order in which they are forgotten.
   */
  REQUESTS("requests"),
  /**
   * FileTally of each domain ("d" + name), class ("c" + domain \0 class) and device
   * ("v" + id (u32)): the counts every file write changes, kept out of those records.
   */
  COUNTS("counts");

  private final String cfName;

  Table(String cfName) {
    this.cfName = cfName;
  }

  public byte[] columnFamilyName() {
    return cfName.getBytes(StandardCharsets.UTF_8);
  }

  public String cfName() {
    return cfName;
  }
}
