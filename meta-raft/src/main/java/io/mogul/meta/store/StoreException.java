package io.mogul.meta.store;

/** RocksDB failed underneath the tracker state; the tracker cannot continue safely. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message + ": " + cause.getMessage(), cause);
  }
}
