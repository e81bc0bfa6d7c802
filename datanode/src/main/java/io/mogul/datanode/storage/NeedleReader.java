package io.mogul.datanode.storage;

import io.mogul.common.MogulException;
import io.mogul.datanode.storage.format.NeedleFormat;
import io.mogul.datanode.storage.format.NeedleHeader;
import io.mogul.proto.ErrorReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Reads blobs of one device. A small blob is one positional read of header and data,
 * checked against its CRC32C before any byte is returned; larger blobs are opened and
 * read chunk by chunk, each chunk verified against its stored checksum first. An I/O error
 * reading the device's files marks the device unhealthy ({@link Device#noteReadError}); a
 * checksum mismatch is damage of that one blob and is only reported to the caller.
 */
public final class NeedleReader {
  private final Device device;

  NeedleReader(Device device) {
    this.device = device;
  }

  /** Reads and checks the header of a stored record. */
  NeedleHeader header(NeedleLocation loc) throws IOException {
    return header(loc.fid());
  }

  /**
   * Reads and checks only the header of a stored blob (no data read).
   *
   * @return null when the fid is not stored
   */
  public NeedleHeader header(long fid) throws IOException {
    OpenNeedle n;
    try {
      n = open(fid, false);
    } catch (MogulException e) {
      if (e.reason() == ErrorReason.BLOB_NOT_FOUND) {
        return null;
      }
      throw e;
    }
    try (n) {
      return n.header();
    }
  }

  /** Opens a blob for a checksum audit: its data is not verified on open. */
  public OpenNeedle openUnverified(long fid) throws IOException {
    return open(fid, false);
  }

  /**
   * Opens a stored blob for reading.
   *
   * @throws MogulException BLOB_NOT_FOUND when the fid is not stored, CHECKSUM_MISMATCH when
   *     its header is damaged
   */
  public OpenNeedle open(long fid) throws IOException {
    return open(fid, true);
  }

  private OpenNeedle open(long fid, boolean verify) throws IOException {
    Device.Pinned pin = device.pin(fid);
    if (pin == null) {
      throw notFound(fid);
    }
    NeedleLocation loc = pin.location();
    long first = verify && loc.length() <= NeedleFormat.CHECKSUM_CHUNK ? NeedleFormat.HEADER_SIZE + loc.length()
        : NeedleFormat.HEADER_SIZE;
    if ((loc.flags() & NeedleFormat.FLAG_LARGE) == 0) {
      // The open needle owns the pinned file from here and releases it on close or failure.
      return new OpenNeedle(fid, pin.file().channel(), pin.file(), loc.offset(), first, verify);
    }
    FileChannel ch;
    try {
      ch = FileChannel.open(device.largeFile(fid), StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new MogulException(ErrorReason.CHECKSUM_MISMATCH,
          "fid " + Long.toUnsignedString(fid) + ": large blob file is missing on device " + device.id());
    } catch (IOException e) {
      device.noteReadError("cannot open the large blob file of fid " + Long.toUnsignedString(fid), e);
      throw e;
    } finally {
      pin.file().release();
    }
    return new OpenNeedle(fid, ch, null, 0, first, verify);
  }

  /** Reads a whole blob of at most one checksum chunk with one positional read. */
  public ByteBuffer readSmall(long fid) throws IOException {
    try (OpenNeedle n = open(fid)) {
      return n.read(0, (int) Math.min(n.length(), NeedleFormat.CHECKSUM_CHUNK));
    }
  }

  static MogulException notFound(long fid) {
    return new MogulException(ErrorReason.BLOB_NOT_FOUND, "fid " + Long.toUnsignedString(fid) + " is not stored here");
  }

  /** A blob opened for reading; holds its file until closed. */
  public final class OpenNeedle implements AutoCloseable {
    private final long fid;
    private final FileChannel channel;
    private final VolumeFile pinned;
    private final long recordOffset;
    private final NeedleHeader header;
    private ByteBuffer small; // the whole blob when it fits one checksum chunk, verified
    private int[] chunkCrcs;
    private boolean closed;

    OpenNeedle(long fid, FileChannel channel, VolumeFile pinned, long recordOffset, long firstRead, boolean verify)
        throws IOException {
      this.fid = fid;
      this.channel = channel;
      this.pinned = pinned;
      this.recordOffset = recordOffset;
      boolean ok = false;
      try {
        ByteBuffer first = readFully(recordOffset, (int) firstRead);
        this.header = NeedleFormat.decodeHeader(first);
        if (header == null || header.fid() != fid || header.tombstone()) {
          throw corrupt("record header is damaged");
        }
        if (verify && header.length() <= NeedleFormat.CHECKSUM_CHUNK) {
          if (first.limit() < NeedleFormat.HEADER_SIZE + header.length()) {
            first = readFully(recordOffset, (int) (NeedleFormat.HEADER_SIZE + header.length()));
          }
          ByteBuffer data = first.position(NeedleFormat.HEADER_SIZE).slice();
          data.limit((int) header.length());
          if (crc(data) != header.crc32c()) {
            throw corrupt("data does not match its CRC32C");
          }
          small = data.asReadOnlyBuffer();
        }
        ok = true;
      } finally {
        if (!ok) {
          close();
        }
      }
    }

    public NeedleHeader header() {
      return header;
    }

    public long length() {
      return header.length();
    }

    private int[] chunkCrcs() throws IOException {
      if (chunkCrcs == null) {
        int n = NeedleFormat.chunkCount(header.length());
        ByteBuffer table = readFully(recordOffset + NeedleFormat.HEADER_SIZE + header.length(), 4 * n);
        chunkCrcs = new int[n];
        for (int i = 0; i < n; i++) {
          chunkCrcs[i] = table.getInt(4 * i);
        }
      }
      return chunkCrcs;
    }

    /**
     * Verified bytes [from, from + n) where n is at most {@code max} and the range does not
     * cross a checksum chunk boundary.
     */
    public ByteBuffer read(long from, int max) throws IOException {
      if (from < 0 || from > header.length()) {
        throw new MogulException(ErrorReason.INVALID_ARGUMENT, "offset " + from + " is outside the blob");
      }
      if (small == null && header.length() <= NeedleFormat.CHECKSUM_CHUNK) {
        ByteBuffer data = readFully(recordOffset + NeedleFormat.HEADER_SIZE, (int) header.length());
        if (crc(data) != header.crc32c()) {
          throw corrupt("data does not match its CRC32C");
        }
        small = data.asReadOnlyBuffer();
      }
      if (small != null) {
        ByteBuffer b = small.duplicate();
        b.position((int) from).limit((int) Math.min(header.length(), from + max));
        return b.slice();
      }
      int index = (int) (from / NeedleFormat.CHECKSUM_CHUNK);
      long chunkStart = (long) index * NeedleFormat.CHECKSUM_CHUNK;
      int chunkLen = (int) Math.min(NeedleFormat.CHECKSUM_CHUNK, header.length() - chunkStart);
      ByteBuffer chunk = readFully(recordOffset + NeedleFormat.HEADER_SIZE + chunkStart, chunkLen);
      if (crc(chunk) != chunkCrcs()[index]) {
        throw corrupt("chunk " + index + " does not match its CRC32C");
      }
      chunk.position((int) (from - chunkStart));
      chunk.limit((int) Math.min(chunkLen, from - chunkStart + max));
      return chunk.slice();
    }

    /** Recomputes the whole blob's CRC32C from disk, checking no chunk table entry. */
    public int computeCrc() throws IOException {
      CRC32C c = new CRC32C();
      long pos = 0;
      while (pos < header.length()) {
        int n = (int) Math.min(NeedleFormat.CHECKSUM_CHUNK, header.length() - pos);
        c.update(readFully(recordOffset + NeedleFormat.HEADER_SIZE + pos, n));
        pos += n;
      }
      return (int) c.getValue();
    }

    private ByteBuffer readFully(long pos, int n) throws IOException {
      ByteBuffer b = ByteBuffer.allocate(n);
      while (b.hasRemaining()) {
        int r;
        try {
          r = channel.read(b, pos + b.position());
        } catch (ClosedChannelException e) {
          throw e; // closed under the read (shutdown, interrupt): not a fault of the device
        } catch (IOException e) {
          device.noteReadError("cannot read fid " + Long.toUnsignedString(fid), e);
          throw e;
        }
        if (r < 0) {
          throw corrupt("record ends early");
        }
      }
      return b.flip();
    }

    private MogulException corrupt(String what) {
      return new MogulException(ErrorReason.CHECKSUM_MISMATCH,
          "fid " + Long.toUnsignedString(fid) + " on device " + device.id() + ": " + what);
    }

    /** Idempotent: the pinned volume file is released exactly once. */
    @Override
    public synchronized void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      if (pinned != null) {
        pinned.release();
      } else {
        channel.close();
      }
    }
  }

  static int crc(ByteBuffer b) {
    CRC32C c = new CRC32C();
    c.update(b.duplicate());
    return (int) c.getValue();
  }
}
