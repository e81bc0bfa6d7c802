package io.mogul.datanode.storage;

/**
 * Where a blob's record is: its volume and byte offset, the blob length and record flags.
 */
public record NeedleLocation(long fid, int volumeId, long offset, long length, int flags) {}
