package io.mogul.meta.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.RegisterRequest;
import io.mogul.proto.RegisterResponse;
import io.mogul.proto.SetDeviceStateRequest;
import io.mogul.proto.Setting;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.DeviceUsage;
import io.mogul.proto.meta.DeviceUsageItem;
import io.mogul.proto.meta.LogEntry;
import io.mogul.proto.meta.AppliedPosition;
import io.mogul.proto.meta.LogEntryResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class SettingsAndRegistrationCommandsTest {
  @TempDir Path dir;
  Fixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new Fixture(dir, 4);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private RegisterResponse register(String name, int devices) {
    return f.ok(RegisterHost.prepare(RegisterRequest.newBuilder().setHostName(name).setAddress("127.0.0.1:9000")
        .setZone("z").setDeviceCount(devices).build(), f)).getRegister();
  }

  @Test
  void setSettingStoresCanonicalValue() {
    Setting s = f.ok(SetSetting.prepare(Setting.newBuilder().setName("rebalance.enabled").setValue("TRUE").build(), f)).getSetting();
    assertEquals("true", s.getValue());
    assertTrue(s.getDescription().length() > 0);
    assertEquals("true", f.view().setting("rebalance.enabled"));
  }

  @Test
  void deviceListSettingsStoreSortedUniqueIdsOfKnownDevicesAndRefuseAnythingElse() {
    assertEquals(List.of(1, 2, 3), register("h1", 3).getDeviceIdsList());
    Setting s = f.ok(SetSetting.prepare(Setting.newBuilder().setName("rebalance.to_devices").setValue(" 3, 1,3,, ")
        .build(), f)).getSetting();
    assertEquals("1,3", s.getValue());
    assertEquals("1,3", f.view().setting("rebalance.to_devices"));
    for (String bad : new String[] {"x", "0", "-2", "1;2", "2147483648"}) {
      f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> SetSetting.prepare(Setting.newBuilder()
          .setName("rebalance.to_devices").setValue(bad).build(), ctx));
    }
    f.rejects(ErrorReason.UNKNOWN_DEVICE, ctx -> SetSetting.prepare(Setting.newBuilder()
        .setName("rebalance.from_devices").setValue("2,9").build(), ctx));
    f.fails(ErrorReason.UNKNOWN_DEVICE, Command.newBuilder().setSetSetting(Setting.newBuilder()
        .setName("rebalance.from_devices").setValue("9")).build());
    assertEquals("1,3", f.view().setting("rebalance.to_devices"), "a refused value changes nothing");
    assertEquals(null, f.view().setting("rebalance.from_devices"));
    assertEquals("", f.ok(SetSetting.prepare(Setting.newBuilder().setName("rebalance.to_devices").setValue("")
        .build(), f)).getSetting().getValue());
  }

  @Test
  void settingErrors() {
    f.rejects(ErrorReason.UNKNOWN_SETTING, ctx -> SetSetting.prepare(Setting.newBuilder().setName("nope").setValue("1").build(), ctx));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> SetSetting.prepare(Setting.newBuilder().setName("rebalance.enabled").setValue("maybe").build(), ctx));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> SetSetting.prepare(Setting.newBuilder().setName("deletion.delay_seconds").setValue("-1").build(), ctx));
    f.fails(ErrorReason.UNKNOWN_SETTING, Command.newBuilder().setSetSetting(Setting.newBuilder().setName("nope").setValue("1")).build());
  }

  @Test
  void registerIsIdempotentByHostName() {
    RegisterResponse first = register("dn1", 2);
    assertEquals(List.of(1, 2), first.getDeviceIdsList());
    RegisterResponse again = register("dn1", 2);
    assertEquals(first, again);
    RegisterResponse other = register("dn2", 1);
    assertEquals(2, other.getHostId());
    assertEquals(List.of(3), other.getDeviceIdsList());
  }

  @Test
  void registerReplacesDeadDevicesWithFreshIds() {
    RegisterResponse first = register("dn1", 2);
    f.ok(SetDeviceState.prepare(SetDeviceStateRequest.newBuilder().setDeviceId(first.getDeviceIds(0))
        .setState(DeviceState.DEVICE_DEAD).build(), f));
    RegisterResponse again = register("dn1", 2);
    assertEquals(List.of(2, 3), again.getDeviceIdsList());
    assertEquals(3, register("dn1", 3).getDeviceIdsCount());
  }

  @Test
  void registerErrors() {
    f.rejects(ErrorReason.INVALID_NAME, ctx -> RegisterHost.prepare(RegisterRequest.newBuilder().setHostName("")
        .setAddress("a:1").build(), ctx));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> RegisterHost.prepare(RegisterRequest.newBuilder().setHostName("dn")
        .setAddress("a").build(), ctx));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> RegisterHost.prepare(RegisterRequest.newBuilder().setHostName("dn")
        .setAddress("a:1").setDeviceCount(1000).build(), ctx));
  }

  @Test
  void deviceUsageIsPersistedForKnownDevices() {
    register("dn1", 1);
    f.ok(RecordDeviceUsage.prepare(DeviceUsage.newBuilder()
        .addDevices(DeviceUsageItem.newBuilder().setDeviceId(1).setCapacityBytes(100).setUsedBytes(40).setReserveBytes(5))
        .addDevices(DeviceUsageItem.newBuilder().setDeviceId(99).setCapacityBytes(1)).build(), f.now));
    assertEquals(40, f.view().device(1).getUsedBytes());
    assertEquals(100, f.view().device(1).getCapacityBytes());
  }

  @Test
  void reserveFidsRangesFollowEachOther() {
    var a = f.ok(ReserveFids.prepare(100, 1)).getFidRange();
    var b = f.ok(ReserveFids.prepare(50, 1)).getFidRange();
    assertEquals(1, a.getFirst());
    assertEquals(101, b.getFirst());
    f.fails(ErrorReason.INVALID_ARGUMENT, ReserveFids.prepare(0, 1));
  }

  @Test
  void oneFailingCommandInAnEntryLeavesTheOthersApplied() {
    LogEntryResult results = f.applier.apply(LogEntry.newBuilder()
        .addCommands(CreateDomain.prepare(io.mogul.proto.DomainRef.newBuilder().setName("a").build(), f))
        .addCommands(CreateDomain.prepare(io.mogul.proto.DomainRef.newBuilder().setName("a").build(), f))
        .addCommands(CreateDomain.prepare(io.mogul.proto.DomainRef.newBuilder().setName("b").build(), f)).build(),
        AppliedPosition.newBuilder().setTerm(2).setIndex(77).build());
    assertTrue(results.getResults(0).hasDomain());
    assertEquals(ErrorReason.DOMAIN_EXISTS, results.getResults(1).getError().getReason());
    assertTrue(results.getResults(2).hasDomain());
    assertEquals(2, f.view().domains().size());
    assertEquals(77, f.store.appliedPosition().getIndex());
  }
}
