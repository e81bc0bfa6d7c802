package io.mogul.meta.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.proto.RebalanceOutcome;
import io.mogul.proto.Setting;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.FsckAction;
import io.mogul.proto.meta.FsckControl;
import org.junit.jupiter.api.Test;

class FeatureLevelTest {
  private static Command fsck(FsckAction action) {
    return Command.newBuilder().setFsckControl(FsckControl.newBuilder().setAction(action)).build();
  }

  @Test
  void clearingTheFsckLogNeedsTheLevelThatIntroducedIt() {
    assertEquals(FeatureLevel.FSCK_CLEAR_LOG, FeatureLevel.required(fsck(FsckAction.FSCK_CLEAR_LOG)));
  }

  @Test
  void theFirstReleasesCommandsNeedOnlyTheBaseLevel() {
    for (FsckAction action : new FsckAction[] {FsckAction.FSCK_START, FsckAction.FSCK_STOP, FsckAction.FSCK_RESET}) {
      assertEquals(FeatureLevel.BASE, FeatureLevel.required(fsck(action)), action.name());
    }
    assertEquals(FeatureLevel.BASE, FeatureLevel.required(Command.newBuilder()
        .setCreateClose(io.mogul.proto.CreateCloseRequest.getDefaultInstance()).build()));
  }

  @Test
  void theRebalancePolicysSettingsAndItsOutcomeNeedTheLevelThatIntroducedThem() {
    for (String name : new String[] {"rebalance.from_devices", "rebalance.to_devices", "rebalance.limit_files",
        "rebalance.limit_bytes"}) {
      assertEquals(FeatureLevel.REBALANCE_POLICY, FeatureLevel.required(setting(name)), name);
    }
    assertEquals(FeatureLevel.BASE, FeatureLevel.required(setting("rebalance.spread_percent")));
    assertEquals(FeatureLevel.BASE, FeatureLevel.required(setting("no.such.setting")));
    assertEquals(FeatureLevel.REBALANCE_POLICY, FeatureLevel.required(
        ControlRebalance.finish(1, RebalanceOutcome.REBALANCE_LIMIT_REACHED, "moved 2 files", 2)));
    assertEquals(FeatureLevel.BASE, FeatureLevel.required(
        ControlRebalance.finish(1, RebalanceOutcome.REBALANCE_BALANCED, "balanced", 2)));
    assertEquals(FeatureLevel.BASE, FeatureLevel.required(ControlRebalance.prepare(true, false, 1)));
  }

  private static Command setting(String name) {
    return Command.newBuilder().setSetSetting(Setting.newBuilder().setName(name).setValue("1")).build();
  }

  @Test
  void thisBuildAppliesEveryLevelItKnows() {
    assertTrue(FeatureLevel.CURRENT >= FeatureLevel.REBALANCE_POLICY);
    assertTrue(FeatureLevel.describe(FeatureLevel.FSCK_CLEAR_LOG).contains("clearlog"));
    assertTrue(FeatureLevel.describe(FeatureLevel.REBALANCE_POLICY).contains("rebalance policy"));
    for (KnownSettings.Definition d : KnownSettings.all()) {
      assertTrue(d.level() >= FeatureLevel.BASE && d.level() <= FeatureLevel.CURRENT, d.name());
    }
  }
}
