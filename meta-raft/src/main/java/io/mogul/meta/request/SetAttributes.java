package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.AttributeMode;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.SetAttributesRequest;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.FileRecord;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sets a file's user attributes (merge: given keys set, an empty value removes a key;
 * overwrite: exactly the given map) and optionally its content type.
 */
public final class SetAttributes implements CommandHandler {
  public static Command prepare(SetAttributesRequest r, LeaderContext ctx) {
    check(r);
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setSetAttributes(r).build();
  }

  private static void check(SetAttributesRequest r) {
    Names.checkDomain(r.getDomain());
    Names.checkKey(r.getKey());
    if (r.getMode() == AttributeMode.UNRECOGNIZED) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "unknown attribute mode");
    }
    r.getAttributesMap().forEach((name, value) -> Names.checkAttribute(name, value));
    if (r.getAttributesCount() > Names.MAX_ATTRIBUTES) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "at most " + Names.MAX_ATTRIBUTES + " attributes");
    }
    Rules.checkContentType(r.getContentType());
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    SetAttributesRequest r = command.getSetAttributes();
    check(r);
    Rules.domain(ctx.view(), r.getDomain());
    FileRecord file = Rules.file(ctx.view(), r.getDomain(), r.getKey());
    Map<String, String> attributes = new TreeMap<>();
    if (r.getMode() == AttributeMode.ATTRIBUTE_MODE_MERGE) {
      attributes.putAll(file.getAttributesMap());
    }
    r.getAttributesMap().forEach((name, value) -> {
      if (value.isEmpty()) {
        attributes.remove(name);
      } else {
        attributes.put(name, value);
      }
    });
    if (attributes.size() > Names.MAX_ATTRIBUTES) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT,
          "the file would have " + attributes.size() + " attributes; the limit is " + Names.MAX_ATTRIBUTES);
    }
    FileRecord.Builder b = file.toBuilder().clearAttributes().putAllAttributes(attributes);
    if (!r.getContentType().isEmpty()) {
      b.setContentType(r.getContentType());
    }
    FileRecord updated = b.build();
    ctx.txn().put(Table.FILES, Keys.pair(r.getDomain(), r.getKey()), updated);
    return CommandResult.newBuilder()
        .setFile(Infos.file(ctx.view(), r.getDomain(), r.getKey(), updated, ctx.view().fid(updated.getFid()))).build();
  }
}
