package io.mogul.meta.request;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.Table;
import io.mogul.proto.Setting;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;

/**
 * Sets one of the {@link KnownSettings}; unknown names fail with UNKNOWN_SETTING, and a
 * device list naming a device the cluster never had with UNKNOWN_DEVICE.
 */
public final class SetSetting implements CommandHandler {
  public static Command prepare(Setting request, LeaderContext ctx) {
    KnownSettings.Definition d = KnownSettings.require(request.getName());
    Setting canonical = Setting.newBuilder().setName(d.name()).setValue(checked(ctx.view(), d, request.getValue()))
        .build();
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setSetSetting(canonical).build();
  }

  /** The value in canonical form, once it passed its setting's rule. */
  private static String checked(MetaView view, KnownSettings.Definition d, String value) {
    String canonical = KnownSettings.check(d, value);
    if (d.kind() == KnownSettings.Kind.DEVICE_LIST) {
      for (int id : KnownSettings.devices(canonical)) {
        Rules.device(view, id);
      }
    }
    return canonical;
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    Setting s = command.getSetSetting();
    KnownSettings.Definition d = KnownSettings.require(s.getName());
    String value = checked(ctx.view(), d, s.getValue());
    ctx.txn().put(Table.SETTINGS, Keys.utf8(d.name()), Keys.utf8(value));
    return CommandResult.newBuilder().setSetting(KnownSettings.toSetting(d, value)).build();
  }
}
