package io.mogul.datanode.storage;

import io.mogul.datanode.storage.format.VolumeFormat;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One volume of a device: a data file of needle records and its index file. Appends and
 * tombstones are written only by the device's {@link VolumeWriter} thread; reads take the
 * swap lock's read side just long enough to pin the current data file, so compaction can
 * swap files between two reads.
 */
public final class Volume {
  private final int id;
  private final Path dir;
  private final ReentrantReadWriteLock swapLock = new ReentrantReadWriteLock();
  private volatile VolumeFile file;
  private FileChannel indexChannel;
  private volatile long generation;
  /** Append position of the data file (writer thread only, published for compaction). */
  private volatile long end;
  private volatile long committedEnd;
  private long indexEnd;
  private volatile long garbageBytes;

  Volume(int id, Path dir, VolumeFile file, FileChannel indexChannel, long generation, long end, long indexEnd) {
    this.id = id;
    this.dir = dir;
    this.file = file;
    this.indexChannel = indexChannel;
    this.generation = generation;
    this.end = end;
    this.committedEnd = end;
    this.indexEnd = indexEnd;
  }

  public int id() {
    return id;
  }

  public Path datPath() {
    return dir.resolve(VolumeFormat.datName(id));
  }

  public Path idxPath() {
    return dir.resolve(VolumeFormat.idxName(id));
  }

  ReentrantReadWriteLock swapLock() {
    return swapLock;
  }

  VolumeFile file() {
    return file;
  }

  FileChannel dataChannel() {
    return file.channel();
  }

  FileChannel indexChannel() {
    return indexChannel;
  }

  long generation() {
    return generation;
  }

  public long end() {
    return end;
  }

  long committedEnd() {
    return committedEnd;
  }

  void setEnd(long end) {
    this.end = end;
  }

  void commit() {
    this.committedEnd = end;
  }

  long indexEnd() {
    return indexEnd;
  }

  void setIndexEnd(long indexEnd) {
    this.indexEnd = indexEnd;
  }

  public long garbageBytes() {
    return garbageBytes;
  }

  void addGarbage(long bytes) {
    garbageBytes += bytes;
  }

  /** Share of the data file (past its superblock) that is dead records. */
  public double garbageRatio() {
    long used = end - VolumeFormat.SUPERBLOCK_SIZE;
    return used <= 0 ? 0 : (double) garbageBytes / used;
  }

  /** Installs the compacted files; the caller holds the swap lock's write side. */
  void swap(VolumeFile newFile, FileChannel newIndex, long newGeneration, long newEnd, long newIndexEnd,
      long newGarbage) throws IOException {
    VolumeFile old = file;
    FileChannel oldIndex = indexChannel;
    file = newFile;
    indexChannel = newIndex;
    generation = newGeneration;
    end = newEnd;
    committedEnd = newEnd;
    indexEnd = newIndexEnd;
    garbageBytes = newGarbage;
    old.release();
    oldIndex.close();
  }

  void close() throws IOException {
    file.release();
    indexChannel.close();
  }
}
