package io.mogul.meta.request;

import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreTxn;

/** What an apply step may touch: the transaction of the log entry being applied. */
public final class ApplyContext {
  private final StoreTxn txn;
  private final MetaView view;

  public ApplyContext(StoreTxn txn) {
    this.txn = txn;
    this.view = new MetaView(txn);
  }

  public StoreTxn txn() {
    return txn;
  }

  public MetaView view() {
    return view;
  }
}
