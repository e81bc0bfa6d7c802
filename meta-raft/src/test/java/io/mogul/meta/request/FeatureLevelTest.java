package io.mogul.meta.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void thisBuildAppliesEveryLevelItKnows() {
    assertTrue(FeatureLevel.CURRENT >= FeatureLevel.FSCK_CLEAR_LOG);
    assertTrue(FeatureLevel.describe(FeatureLevel.FSCK_CLEAR_LOG).contains("clearlog"));
  }
}
