package io.mogul.chaos.model;

import io.mogul.chaos.history.Op;
import java.util.Objects;
import java.util.Optional;

/**
 * The sequential specification of one key: a register that is either absent or holds the
 * digest of one written value. PUT writes; GET reads; DELETE removes (and reports whether
 * the key existed).
 */
public final class RegisterModel {
  /** The state of a key before any operation. */
  public static final String ABSENT = null;

  private RegisterModel() {}

  /**
   * Applies {@code op} to {@code state} if the operation's observed result is possible
   * there.
   *
   * @return the next state, or empty when the observation contradicts {@code state}
   */
  public static Optional<State> step(State state, Op op) {
    return switch (op.kind()) {
      case PUT -> Optional.of(new State(op.value()));
      case GET -> Objects.equals(state.value(), op.outcome() == Op.Outcome.NOT_FOUND ? ABSENT : op.value())
          ? Optional.of(state) : Optional.empty();
      case DELETE -> switch (op.outcome()) {
        case OK -> state.value() != ABSENT ? Optional.of(new State(ABSENT)) : Optional.empty();
        case NOT_FOUND -> state.value() == ABSENT ? Optional.of(state) : Optional.empty();
        default -> Optional.of(new State(ABSENT));
      };
      default -> throw new IllegalArgumentException("not a single-key register operation: " + op.kind());
    };
  }

  /** A register value; {@code value} null means absent. */
  public record State(String value) {}
}
