package io.mogul.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.mogul.proto.BlobRef;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.FileInfo;
import io.mogul.proto.VerifyResponse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerifyCopiesTest {
  @Test
  void aCopyWhoseDatanodeNeverAnswersIsReportedUnreachableWithinTheCallTimeout() throws Exception {
    FileInfo file = FileInfo.newBuilder().setFid(5).setLength(10).setCrc32C(77).build();
    // Device 1 answers with an intact copy; device 2's datanode takes the call and never answers.
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new DataNodeGrpc.DataNodeImplBase() {
          @Override
          public void verify(BlobRef request, StreamObserver<VerifyResponse> out) {
            if (request.getDeviceId() == 1 && request.getFid() == 5) {
              out.onNext(VerifyResponse.newBuilder().setExists(true).setOk(true).setLength(10).setStoredCrc32C(77)
                  .setComputedCrc32C(77).build());
              out.onCompleted();
            }
          }
        }).build().start();
    String address = "127.0.0.1:" + ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    FileInfo located = file.toBuilder()
        .addLocations(DeviceLocation.newBuilder().setDeviceId(1).setAddress(address))
        .addLocations(DeviceLocation.newBuilder().setDeviceId(2).setAddress(address))
        .addLocations(DeviceLocation.newBuilder().setDeviceId(3).setAddress("127.0.0.1:1")).build();
    try (MogulClient client = MogulClient.builder().trackers(List.of("127.0.0.1:1"))
        .callTimeout(Duration.ofSeconds(1)).build()) {
      List<CopyCheck> checks = client.verifyCopies(located);
      assertEquals(List.of(CopyCheck.State.GOOD, CopyCheck.State.UNREACHABLE, CopyCheck.State.UNREACHABLE),
          checks.stream().map(CopyCheck::state).toList());
      assertEquals("no answer within 1 s", checks.get(1).detail());
      assertEquals(located.getLocations(2), checks.get(2).location());
    } finally {
      server.shutdownNow();
    }
  }
}
