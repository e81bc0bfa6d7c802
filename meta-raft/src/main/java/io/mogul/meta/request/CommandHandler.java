package io.mogul.meta.request;

import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;

/**
 * The apply step of one metadata operation. It runs on every replica in log order and must
 * be deterministic: it reads only the state and the command (whose time and choices the
 * leader filled in). It checks every rule before its first write; a rule it finds broken
 * is thrown as a {@code MogulException}, and the caller discards the command's writes.
 */
public interface CommandHandler {
  CommandResult apply(ApplyContext ctx, Command command);
}
