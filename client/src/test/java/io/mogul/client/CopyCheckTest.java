package io.mogul.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.proto.DeviceLocation;
import io.mogul.proto.FileInfo;
import io.mogul.proto.VerifyResponse;
import org.junit.jupiter.api.Test;

class CopyCheckTest {
  private static final FileInfo FILE = FileInfo.newBuilder().setFid(9).setLength(100).setCrc32C(0xabcd).build();
  private static final DeviceLocation DEV = DeviceLocation.newBuilder().setDeviceId(4).setAddress("127.0.0.1:1").build();

  private static VerifyResponse.Builder intact() {
    return VerifyResponse.newBuilder().setExists(true).setOk(true).setLength(100)
        .setStoredCrc32C(0xabcd).setComputedCrc32C(0xabcd);
  }

  @Test
  void anIntactCopyWithTheFilesLengthAndChecksumIsGood() {
    CopyCheck c = CopyCheck.of(FILE, DEV, intact().build());
    assertTrue(c.good());
    assertEquals("", c.detail());
    assertEquals(DEV, c.location());
  }

  @Test
  void eachWayACopyCanBeBadIsToldApart() {
    CopyCheck missing = CopyCheck.of(FILE, DEV, VerifyResponse.newBuilder().setExists(false).build());
    assertEquals(CopyCheck.State.MISSING, missing.state());
    CopyCheck corrupt = CopyCheck.of(FILE, DEV, intact().setOk(false).setComputedCrc32C(0x1234).build());
    assertEquals(CopyCheck.State.CORRUPT, corrupt.state());
    assertTrue(corrupt.detail().contains("00001234") && corrupt.detail().contains("0000abcd"), corrupt.detail());
    CopyCheck shorter = CopyCheck.of(FILE, DEV, intact().setLength(99).build());
    assertEquals(CopyCheck.State.MISMATCH, shorter.state());
    CopyCheck otherBytes = CopyCheck.of(FILE, DEV, intact().setStoredCrc32C(0x1).setComputedCrc32C(0x1).build());
    assertEquals(CopyCheck.State.MISMATCH, otherBytes.state());
    assertFalse(otherBytes.good());
  }
}
