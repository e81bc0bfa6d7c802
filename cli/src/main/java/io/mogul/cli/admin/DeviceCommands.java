package io.mogul.cli.admin;

import io.mogul.cli.ExitCodes;
import io.mogul.cli.GlobalOptions;
import io.mogul.cli.Output;
import io.mogul.cli.ProtoJson;
import io.mogul.proto.CreateDeviceRequest;
import io.mogul.proto.DeviceInfo;
import io.mogul.proto.HostInfo;
import io.mogul.proto.ListRequest;
import io.mogul.proto.SetDeviceStateRequest;
import io.mogul.proto.SetDeviceWeightRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mogul admin device ...}: devices are directories on datanodes; they register themselves. */
@Command(name = "device", description = "Add, list, mark, modify and summarize devices.",
    subcommands = {DeviceCommands.Add.class, DeviceCommands.ListDevices.class, DeviceCommands.Mark.class,
        DeviceCommands.Modify.class, DeviceCommands.Summary.class})
final class DeviceCommands {
  private DeviceCommands() {}

  static void print(Output out, List<DeviceInfo> devices) {
    if (out.json()) {
      out.printJson(ProtoJson.toList(devices));
      return;
    }
    out.table(List.of("DEV", "HOST", "ADDRESS", "STATE", "WEIGHT", "USED", "CAPACITY", "FILES", "IO", "REACHABLE"),
        devices.stream().<List<?>>map(d -> List.of("dev" + d.getDeviceId(), d.getHostId(), d.getHostAddress(),
            States.show(d) + (d.getFull() ? " (full)" : ""), d.getWeight(),
            Output.bytes(d.getUsedBytes()), Output.bytes(d.getCapacityBytes()), d.getFileCount(),
            String.format("%.2f", d.getIoLoad()), reachable(d))).toList());
  }

  /** "yes", or "no" with the datanode's reason when it reported the device unhealthy. */
  private static String reachable(DeviceInfo d) {
    return d.getReachable() ? "yes" : d.getError().isEmpty() ? "no" : "no: " + d.getError();
  }

  @Command(name = "add", description = "Add a device to a host (id 0 or omitted: next free id).")
  static final class Add implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Parameters(index = "0", paramLabel = "HOST") String host;
    @Parameters(index = "1", paramLabel = "DEVID", arity = "0..1") int deviceId;
    @Option(names = "--weight") int weight;

    @Override
    public Integer call() {
      HostInfo h = HostCommands.find(global, host);
      DeviceInfo d = AdminCommand.call(global, a -> a.createDevice(CreateDeviceRequest.newBuilder()
          .setHostId(h.getHostId()).setDeviceId(deviceId).setWeight(weight).build()));
      print(global.output(), List.of(d));
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "List devices.")
  static final class ListDevices implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Override
    public Integer call() {
      print(global.output(), AdminCommand.call(global, a -> a.listDevices(ListRequest.getDefaultInstance()))
          .getDevicesList());
      return ExitCodes.OK;
    }
  }

  @Command(name = "mark", description = "Set a device's state: alive, readonly, drain, down, dead.")
  static final class Mark implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Parameters(index = "0", paramLabel = "DEVID") int deviceId;
    @Parameters(index = "1", paramLabel = "STATE") String state;

    @Override
    public Integer call() {
      SetDeviceStateRequest request = SetDeviceStateRequest.newBuilder().setDeviceId(deviceId)
          .setState(States.device(state)).build();
      print(global.output(), List.of(AdminCommand.<DeviceInfo>call(global, a -> a.setDeviceState(request))));
      return ExitCodes.OK;
    }
  }

  @Command(name = "modify", description = "Change a device's weight.")
  static final class Modify implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Parameters(paramLabel = "DEVID") int deviceId;
    @Option(names = "--weight", required = true) int weight;

    @Override
    public Integer call() {
      SetDeviceWeightRequest request = SetDeviceWeightRequest.newBuilder().setDeviceId(deviceId).setWeight(weight).build();
      print(global.output(), List.of(AdminCommand.<DeviceInfo>call(global, a -> a.setDeviceWeight(request))));
      return ExitCodes.OK;
    }
  }

  @Command(name = "summary", description = "Devices and space per host.")
  static final class Summary implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Override
    public Integer call() {
      List<DeviceInfo> devices = AdminCommand.call(global, a -> a.listDevices(ListRequest.getDefaultInstance()))
          .getDevicesList();
      Map<Integer, long[]> perHost = new TreeMap<>();
      for (DeviceInfo d : devices) {
        long[] t = perHost.computeIfAbsent(d.getHostId(), h -> new long[5]);
        t[0]++;
        t[1] += d.getState() == io.mogul.proto.DeviceState.DEVICE_ALIVE ? 1 : 0;
        t[2] += d.getUsedBytes();
        t[3] += d.getCapacityBytes();
        t[4] += d.getFileCount();
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      perHost.forEach((host, t) -> {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("hostId", host);
        row.put("devices", t[0]);
        row.put("alive", t[1]);
        row.put("usedBytes", t[2]);
        row.put("capacityBytes", t[3]);
        row.put("files", t[4]);
        rows.add(row);
      });
      Output out = global.output();
      if (out.json()) {
        out.printJson(rows);
      } else {
        out.table(List.of("HOST", "DEVICES", "ALIVE", "USED", "CAPACITY", "USED%", "FILES"),
            rows.stream().<List<?>>map(r -> {
              long used = (long) r.get("usedBytes");
              long cap = (long) r.get("capacityBytes");
              return List.of(r.get("hostId"), r.get("devices"), r.get("alive"), Output.bytes(used),
                  Output.bytes(cap), cap == 0 ? "-" : String.format("%.1f", 100.0 * used / cap), r.get("files"));
            }).toList());
      }
      return ExitCodes.OK;
    }
  }
}
