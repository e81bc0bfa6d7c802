package io.mogul.meta.request;

import io.mogul.proto.RebalanceOutcome;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.FsckAction;

/**
 * Which tracker builds can apply which commands. Each build has a feature level,
 * {@link #CURRENT}; a command that an older build would apply differently (a new operation,
 * or a new value of an existing one, which an older build rejects in its apply step while
 * newer ones carry it out) requires the level that introduced it.
 *
 * <p>Contract: {@link #required} never exceeds {@link #CURRENT}, and a command proposed only
 * once every tracker of the group reports at least its required level is applied the same
 * way by every replica. When a change adds such a command, raise {@link #CURRENT} and return
 * the new level for it here; commands of the first release stay at {@link #BASE}.
 */
public final class FeatureLevel {
  /** The commands of the first release. */
  public static final int BASE = 1;
  /** Adds fsck clearlog: {@code fsck_control} with {@link FsckAction#FSCK_CLEAR_LOG}. */
  public static final int FSCK_CLEAR_LOG = 2;
  /**
   * Adds the rebalance policy: the {@code rebalance.from_devices}, {@code to_devices},
   * {@code limit_files} and {@code limit_bytes} settings, and runs that end with
   * {@link RebalanceOutcome#REBALANCE_LIMIT_REACHED}.
   */
  public static final int REBALANCE_POLICY = 3;
  /** The level of this build. */
  public static final int CURRENT = REBALANCE_POLICY;

  private FeatureLevel() {}

  /** The lowest feature level whose trackers apply {@code command} as this build does. */
  public static int required(Command command) {
    return switch (command.getOpCase()) {
      case FSCK_CONTROL -> command.getFsckControl().getAction() == FsckAction.FSCK_CLEAR_LOG ? FSCK_CLEAR_LOG : BASE;
      case SET_SETTING -> KnownSettings.level(command.getSetSetting().getName());
      case REBALANCE_CONTROL -> command.getRebalanceControl().getOutcome() == RebalanceOutcome.REBALANCE_LIMIT_REACHED
          ? REBALANCE_POLICY : BASE;
      default -> BASE;
    };
  }

  /** What a level added, for messages. */
  public static String describe(int level) {
    return switch (level) {
      case BASE -> "the first release's commands";
      case FSCK_CLEAR_LOG -> "fsck clearlog";
      case REBALANCE_POLICY -> "the rebalance policy";
      default -> "feature level " + level;
    };
  }
}
