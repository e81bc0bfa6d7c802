package io.mogul.meta.service;

import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.OpenUpload;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open uploads this tracker issued as leader, held in memory until they are closed or
 * expire. An open costs no log entry: create_close carries the held upload into its own
 * entry. A leader change loses them; a close at the new leader then answers UPLOAD_EXPIRED
 * and the client writes the file again under a new fid, while the blobs written for the
 * lost fid are collected as orphans.
 *
 * <p>Thread-safe. At most {@code capacity} uploads are held; opens beyond that are refused
 * until some close or expire, so clients that never close cannot exhaust the heap.
 */
public final class HeldUploads {
  private final ConcurrentHashMap<Long, OpenUpload> byFid = new ConcurrentHashMap<>();
  private final int capacity;

  public HeldUploads(int capacity) {
    this.capacity = Math.max(1, capacity);
  }

  /**
   * Holds a freshly issued upload; refused with UNAVAILABLE (retriable) while the table is
   * full. Synchronized so that concurrent opens cannot pass the size check together.
   */
  public synchronized void hold(OpenUpload upload) {
    if (byFid.size() >= capacity) {
      throw new MogulException(ErrorReason.UNAVAILABLE, "too many open uploads (" + capacity
          + "); close or abandon some, or raise uploads.maxOpen");
    }
    byFid.put(upload.getFid(), upload);
  }

  /** The held upload of {@code fid}, or null. */
  public OpenUpload get(long fid) {
    return byFid.get(fid);
  }

  /** Forgets an upload once its close was applied. */
  public void release(long fid) {
    byFid.remove(fid);
  }

  /** Forgets the given uploads if they are still held (expired and handed to the deletion queue). */
  public void releaseAll(List<OpenUpload> uploads) {
    for (OpenUpload u : uploads) {
      byFid.remove(u.getFid(), u);
    }
  }

  /** Up to {@code limit} held uploads whose expiry is at or before {@code nowMs}. */
  public List<OpenUpload> expired(long nowMs, int limit) {
    List<OpenUpload> out = new ArrayList<>();
    for (OpenUpload u : byFid.values()) {
      if (out.size() >= limit) {
        break;
      }
      if (u.getExpiresAtMs() <= nowMs) {
        out.add(u);
      }
    }
    return out;
  }

  public int size() {
    return byFid.size();
  }
}
