package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.proto.Empty;
import io.mogul.proto.meta.CommandResult;

/** Small builders for command results and the errors apply steps throw. */
public final class Results {
  public static final CommandResult EMPTY =
      CommandResult.newBuilder().setEmpty(Empty.getDefaultInstance()).build();

  private Results() {}

  public static CommandResult error(MogulException e) {
    return CommandResult.newBuilder().setError(e.toCallError()).build();
  }

  /** The result's error as an exception, or the result itself. */
  public static CommandResult orThrow(CommandResult result) {
    if (result.hasError()) {
      throw MogulException.fromCallError(result.getError());
    }
    return result;
  }
}
