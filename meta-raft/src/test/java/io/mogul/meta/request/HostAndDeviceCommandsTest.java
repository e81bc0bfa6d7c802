package io.mogul.meta.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.proto.CreateDeviceRequest;
import io.mogul.proto.CreateHostRequest;
import io.mogul.proto.DeviceInfo;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FileKey;
import io.mogul.proto.HostRef;
import io.mogul.proto.HostState;
import io.mogul.proto.SetDeviceStateRequest;
import io.mogul.proto.SetDeviceWeightRequest;
import io.mogul.proto.UpdateHostRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class HostAndDeviceCommandsTest {
  @TempDir Path dir;
  Fixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new Fixture(dir, 2);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static CreateHostRequest host(String name) {
    return CreateHostRequest.newBuilder().setName(name).setAddress("10.0.0.1:7500").setZone("z1").build();
  }

  private int device(int hostId, int id) {
    return f.ok(CreateDevice.prepare(CreateDeviceRequest.newBuilder().setHostId(hostId).setDeviceId(id).build(), f))
        .getDevice().getDeviceId();
  }

  @Test
  void hostsGetIncreasingIds() {
    var a = f.ok(CreateHost.prepare(host("a"), f)).getHost();
    var b = f.ok(CreateHost.prepare(host("b"), f)).getHost();
    assertEquals(1, a.getHostId());
    assertEquals(2, b.getHostId());
    assertEquals(HostState.HOST_ALIVE, a.getState());
    assertEquals("z1", a.getZone());
  }

  @Test
  void createHostErrors() {
    f.ok(CreateHost.prepare(host("a"), f));
    f.fails(ErrorReason.HOST_EXISTS, CreateHost.prepare(host("a"), f));
    f.rejects(ErrorReason.INVALID_NAME, ctx -> CreateHost.prepare(host("A B"), ctx));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> CreateHost.prepare(host("b").toBuilder().setAddress("nohostport").build(), ctx));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> CreateHost.prepare(host("b").toBuilder().setAddress("h:99999").build(), ctx));
  }

  @Test
  void updateHostKeepsUnsetFields() {
    int id = f.ok(CreateHost.prepare(host("a"), f)).getHost().getHostId();
    var h = f.ok(UpdateHost.prepare(UpdateHostRequest.newBuilder().setHostId(id).setState(HostState.HOST_DOWN).build(), f)).getHost();
    assertEquals(HostState.HOST_DOWN, h.getState());
    assertEquals("10.0.0.1:7500", h.getAddress());
    h = f.ok(UpdateHost.prepare(UpdateHostRequest.newBuilder().setHostId(id).setAddress("10.0.0.2:1").build(), f)).getHost();
    assertEquals("10.0.0.2:1", h.getAddress());
    assertEquals(HostState.HOST_DOWN, h.getState());
    f.fails(ErrorReason.UNKNOWN_HOST, UpdateHost.prepare(UpdateHostRequest.newBuilder().setHostId(99).build(), f));
  }

  @Test
  void deleteHostRefusedWhileItHasLiveDevices() {
    int id = f.ok(CreateHost.prepare(host("a"), f)).getHost().getHostId();
    int dev = device(id, 0);
    f.fails(ErrorReason.HOST_NOT_EMPTY, DeleteHost.prepare(HostRef.newBuilder().setHostId(id).build(), f));
    f.ok(SetDeviceState.prepare(SetDeviceStateRequest.newBuilder().setDeviceId(dev).setState(DeviceState.DEVICE_DEAD).build(), f));
    f.ok(DeleteHost.prepare(HostRef.newBuilder().setName("a").build(), f));
    assertNull(f.view().host(id));
    f.fails(ErrorReason.UNKNOWN_HOST, DeleteHost.prepare(HostRef.newBuilder().setName("a").build(), f));
  }

  @Test
  void deviceIdsAreNeverReused() {
    int h = f.ok(CreateHost.prepare(host("a"), f)).getHost().getHostId();
    assertEquals(1, device(h, 0));
    assertEquals(7, device(h, 7));
    assertEquals(8, device(h, 0));
    f.ok(SetDeviceState.prepare(SetDeviceStateRequest.newBuilder().setDeviceId(8).setState(DeviceState.DEVICE_DEAD).build(), f));
    f.fails(ErrorReason.DEVICE_EXISTS, CreateDevice.prepare(CreateDeviceRequest.newBuilder().setHostId(h).setDeviceId(8).build(), f));
    assertEquals(9, device(h, 0));
  }

  @Test
  void createDeviceErrors() {
    f.fails(ErrorReason.UNKNOWN_HOST, CreateDevice.prepare(CreateDeviceRequest.newBuilder().setHostId(5).build(), f));
    int h = f.ok(CreateHost.prepare(host("a"), f)).getHost().getHostId();
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> CreateDevice.prepare(CreateDeviceRequest.newBuilder().setHostId(h).setWeight(10_001).build(), ctx));
    var d = f.ok(CreateDevice.prepare(CreateDeviceRequest.newBuilder().setHostId(h).build(), f)).getDevice();
    assertEquals(100, d.getWeight());
    assertEquals(DeviceState.DEVICE_ALIVE, d.getState());
  }

  @Test
  void deadIsTerminal() {
    int h = f.ok(CreateHost.prepare(host("a"), f)).getHost().getHostId();
    int d = device(h, 0);
    var r = f.ok(SetDeviceState.prepare(SetDeviceStateRequest.newBuilder().setDeviceId(d).setState(DeviceState.DEVICE_DRAIN).build(), f));
    assertEquals(DeviceState.DEVICE_DRAIN, r.getDevice().getState());
    f.ok(SetDeviceState.prepare(SetDeviceStateRequest.newBuilder().setDeviceId(d).setState(DeviceState.DEVICE_DEAD).build(), f));
    f.fails(ErrorReason.INVALID_STATE_CHANGE,
        SetDeviceState.prepare(SetDeviceStateRequest.newBuilder().setDeviceId(d).setState(DeviceState.DEVICE_ALIVE).build(), f));
    f.fails(ErrorReason.UNKNOWN_DEVICE,
        SetDeviceState.prepare(SetDeviceStateRequest.newBuilder().setDeviceId(42).setState(DeviceState.DEVICE_ALIVE).build(), f));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> SetDeviceState.prepare(SetDeviceStateRequest.newBuilder().setDeviceId(d).build(), ctx));
  }

  @Test
  void setDeviceWeight() {
    int h = f.ok(CreateHost.prepare(host("a"), f)).getHost().getHostId();
    int d = device(h, 0);
    assertEquals(250, f.ok(SetDeviceWeight.prepare(SetDeviceWeightRequest.newBuilder().setDeviceId(d).setWeight(250).build(), f))
        .getDevice().getWeight());
    f.fails(ErrorReason.UNKNOWN_DEVICE, SetDeviceWeight.prepare(SetDeviceWeightRequest.newBuilder().setDeviceId(99).setWeight(1).build(), f));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> SetDeviceWeight.prepare(SetDeviceWeightRequest.newBuilder().setDeviceId(d).setWeight(-1).build(), ctx));
  }

  private DeviceInfo deviceInfo(int id) {
    var d = f.view().device(id);
    return Infos.device(f.view(), d, f.view().host(d.getHostId()));
  }

  @Test
  void aDrainDeviceIsReportedDrainedOnlyOnceNoFileIsLocatedOnIt() {
    f.domain("d");
    f.host("a", "z1", 1);
    f.host("b", "z1", 1);
    var file = f.put("d", "k", 10);
    int draining = file.getLocations(0).getDeviceId();
    int alive = file.getLocations(1).getDeviceId();
    f.ok(SetDeviceState.prepare(SetDeviceStateRequest.newBuilder().setDeviceId(draining)
        .setState(DeviceState.DEVICE_DRAIN).build(), f));
    assertFalse(deviceInfo(draining).getDrained(), "still holds a file: " + deviceInfo(draining));
    f.ok(DeleteFile.prepare(FileKey.newBuilder().setDomain("d").setKey("k").build(), f));
    assertEquals(0, deviceInfo(draining).getFileCount());
    assertTrue(deviceInfo(draining).getDrained(), deviceInfo(draining).toString());
    // An empty device that is not draining is just empty.
    assertFalse(deviceInfo(alive).getDrained(), deviceInfo(alive).toString());
  }
}
