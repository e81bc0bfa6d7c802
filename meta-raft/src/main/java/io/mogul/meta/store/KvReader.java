package io.mogul.meta.store;

/** Read access to the tracker state: point lookups and ordered range scans. */
public interface KvReader {
  /** The value stored under {@code key}, or null. */
  byte[] get(Table table, byte[] key);

  /**
   * Visits entries in key order starting at {@code start} (inclusive; empty for the
   * beginning) while their key starts with {@code prefix}, until the visitor returns false.
   */
  void scan(Table table, byte[] prefix, byte[] start, Visitor visitor);

  /** Receives one entry of a scan; returns false to stop. */
  @FunctionalInterface
  interface Visitor {
    boolean visit(byte[] key, byte[] value);
  }
}
