package io.mogul.client;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A lazy iterator over a paginated listing: fetches the next page only when the current one
 * is used up, and stops after a page that names no position to continue from. Not
 * thread-safe, like any iterator.
 *
 * @param <P> the position a page continues from
 * @param <T> one listed item
 */
abstract class Pages<P, T> implements Iterator<T> {
  /** One page: its items, and where the next page starts (null: this was the last). */
  record Page<P, T>(List<T> items, P next) {}

  private Iterator<T> page = List.<T>of().iterator();
  private P next;

  Pages(P first) {
    this.next = first;
  }

  /** Fetches the page that starts after {@code position}. */
  abstract Page<P, T> fetch(P position);

  @Override
  public final boolean hasNext() {
    // An empty page that still names a next position (a filtered page) is skipped over.
    while (!page.hasNext() && next != null) {
      Page<P, T> fetched = fetch(next);
      page = fetched.items().iterator();
      next = fetched.next();
    }
    return page.hasNext();
  }

  @Override
  public final T next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return page.next();
  }
}
