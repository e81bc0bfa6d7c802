package io.mogul.meta.request;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreException;
import io.mogul.proto.FsckLogEntry;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.RebalanceStatus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the background jobs keep their replicated progress: the fsck state, its log and
 * the rebalance state, all in the meta table under {@code job.} keys.
 */
public final class JobRecords {
  public static final byte[] FSCK_STATE = Keys.utf8("job.fsck.state");
  public static final byte[] FSCK_NEXT_SEQ = Keys.utf8("job.fsck.next_seq");
  public static final byte[] FSCK_LOG_PREFIX = Keys.prefix("job.fsck.log");
  public static final byte[] REBALANCE_STATE = Keys.utf8("job.rebalance.state");
  /** The fsck log keeps at most this many entries; the oldest go first. */
  public static final int MAX_FSCK_LOG = 10_000;

  private JobRecords() {}

  public static FsckStatus fsck(MetaView view) {
    byte[] raw = view.kv().get(io.mogul.meta.store.Table.META, FSCK_STATE);
    try {
      return raw == null ? FsckStatus.getDefaultInstance() : FsckStatus.parseFrom(raw);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new StoreException("corrupt fsck state", e);
    }
  }

  public static RebalanceStatus rebalance(MetaView view) {
    byte[] raw = view.kv().get(io.mogul.meta.store.Table.META, REBALANCE_STATE);
    try {
      return raw == null ? RebalanceStatus.getDefaultInstance() : RebalanceStatus.parseFrom(raw);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new StoreException("corrupt rebalance state", e);
    }
  }

  static byte[] fsckLogKey(long seq) {
    return ByteBuffer.allocate(FSCK_LOG_PREFIX.length + 8).put(FSCK_LOG_PREFIX).putLong(seq).array();
  }

  /** Log entries with a sequence number above {@code afterSeq}, oldest first. */
  public static List<FsckLogEntry> fsckLog(MetaView view, long afterSeq, int limit) {
    List<FsckLogEntry> out = new ArrayList<>();
    view.kv().scan(io.mogul.meta.store.Table.META, FSCK_LOG_PREFIX, fsckLogKey(afterSeq + 1), (k, v) -> {
      try {
        out.add(FsckLogEntry.parseFrom(v));
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new StoreException("corrupt fsck log entry", e);
      }
      return out.size() < limit;
    });
    return out;
  }
}
