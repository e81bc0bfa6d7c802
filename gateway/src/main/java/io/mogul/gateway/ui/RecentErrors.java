package io.mogul.gateway.ui;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last few failed requests, newest first, for the dashboard. Thread-safe. */
public final class RecentErrors {
  /** One failed request. */
  public record Entry(long timeMs, String method, String path, int status, String message) {}

  private final int capacity;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();

  public RecentErrors(int capacity) {
    this.capacity = capacity;
  }

  public synchronized void add(Entry e) {
    if (entries.size() == capacity) {
      entries.removeLast();
    }
    entries.addFirst(e);
  }

  public synchronized List<Entry> snapshot() {
    return new ArrayList<>(entries);
  }
}
