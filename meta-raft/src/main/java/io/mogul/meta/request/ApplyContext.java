package io.mogul.meta.request;

import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreTxn;

/** What an apply step may touch: the transaction of the log entry being applied. */
public final class ApplyContext {
  private final StoreTxn txn;
  private final MetaView view;
  private final boolean answering;

  public ApplyContext(StoreTxn txn, boolean answering) {
    this.txn = txn;
    this.view = new MetaView(txn);
    this.answering = answering;
  }

  /**
   * Whether anyone reads this entry's results: only the leader answers callers. A handler
   * may then leave out the details of a success (not the state change itself), but only
   * for commands whose results are never remembered in the state, as those must be the
   * same on every replica.
   */
  public boolean answering() {
    return answering;
  }

  public StoreTxn txn() {
    return txn;
  }

  public MetaView view() {
    return view;
  }
}
