package io.mogul.meta.request;

import io.mogul.meta.placement.Placement;
import io.mogul.meta.store.MetaView;
import io.mogul.proto.meta.OpenUpload;

/**
 * What a leader step may use: everything non-deterministic about a command is decided here
 * and written into it, so that applying it gives the same result on every replica.
 */
public interface LeaderContext {
  /** The leader's clock. */
  long nowMs();

  /** A fresh fid from a range this leader reserved through the log. */
  long allocateFid();

  /** The leader's applied state, for validation before proposing. */
  MetaView view();

  Placement placement();

  /** How long an open upload stays open. */
  long uploadExpiryMs();

  /** The open upload this leader issued and holds for {@code fid}, or null. */
  OpenUpload heldUpload(long fid);
}
