package io.mogul.meta.request;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mogul.common.MogulException;
import io.mogul.meta.store.KvReader;
import io.mogul.meta.store.StoreException;
import io.mogul.meta.store.StoreTxn;
import io.mogul.meta.store.Table;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.RememberedResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Exactly-once answers for client-tagged commands. A client retries a call whose answer
 * it lost (a leader change, a cut connection) with the same request id; the first apply
 * remembers its result, and every later apply of that id returns it unchanged, so a
 * retried rename or delete is neither applied twice nor answered "unknown key". Failures
 * are not remembered: they changed nothing, and a retry is judged afresh.
 */
public final class RememberedRequests {
  /** How long an answer is remembered: far longer than any client keeps retrying. */
  public static final long REMEMBER_MS = 10 * 60_000;
  static final int MAX_ID_BYTES = 128;
  private static final byte BY_ID = 'i';
  private static final byte BY_TIME = 't';

  private RememberedRequests() {}

  /** The client's request id of a command, or "" when it carries none. */
  static String idOf(Command c) {
    return switch (c.getOpCase()) {
      case DELETE_FILE -> c.getDeleteFile().getRequestId();
      case RENAME -> c.getRename().getRequestId();
      case SET_ATTRIBUTES -> c.getSetAttributes().getRequestId();
      case UPDATE_FILE_CLASS -> c.getUpdateFileClass().getRequestId();
      default -> "";
    };
  }

  static void check(String id) {
    if (id.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "request id longer than " + MAX_ID_BYTES + " bytes");
    }
  }

  /** The remembered answer for {@code id}, or null. */
  static CommandResult recall(KvReader kv, String id) {
    byte[] raw = kv.get(Table.REQUESTS, byId(id));
    if (raw == null) {
      return null;
    }
    try {
      return RememberedResult.parseFrom(raw).getResult();
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException("corrupt remembered request " + id, e);
    }
  }

  static void remember(StoreTxn txn, String id, long timeMs, CommandResult result) {
    txn.put(Table.REQUESTS, byId(id), RememberedResult.newBuilder().setTimeMs(timeMs).setResult(result).build());
    txn.put(Table.REQUESTS, byTime(timeMs, id), new byte[0]);
  }

  /** Forgets up to {@code limit} answers remembered before {@code cutoffMs}; returns how many. */
  static int forgetBefore(StoreTxn txn, long cutoffMs, int limit) {
    List<byte[]> old = new ArrayList<>();
    txn.scan(Table.REQUESTS, new byte[] {BY_TIME}, new byte[] {BY_TIME}, (k, v) -> {
      if (timeOf(k) >= cutoffMs) {
        return false;
      }
      old.add(k);
      return old.size() < limit;
    });
    for (byte[] k : old) {
      txn.delete(Table.REQUESTS, k);
      txn.delete(Table.REQUESTS, byId(new String(k, 9, k.length - 9, StandardCharsets.UTF_8)));
    }
    return old.size();
  }

  /** True when some answer was remembered before {@code cutoffMs} (the leader then proposes forgetting it). */
  public static boolean anyBefore(KvReader kv, long cutoffMs) {
    boolean[] found = {false};
    kv.scan(Table.REQUESTS, new byte[] {BY_TIME}, new byte[] {BY_TIME}, (k, v) -> {
      found[0] = timeOf(k) < cutoffMs;
      return false;
    });
    return found[0];
  }

  private static byte[] byId(String id) {
    byte[] raw = id.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + raw.length).put(BY_ID).put(raw).array();
  }

  private static byte[] byTime(long timeMs, String id) {
    byte[] raw = id.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(9 + raw.length).put(BY_TIME).putLong(timeMs).put(raw).array();
  }

  private static long timeOf(byte[] byTimeKey) {
    return ByteBuffer.wrap(byTimeKey, 1, 8).getLong();
  }
}
