package io.mogul.meta.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mogul.proto.ClassRef;
import io.mogul.proto.ClassSpec;
import io.mogul.proto.DomainInfo;
import io.mogul.proto.DomainRef;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ReplicationPolicy;
import io.mogul.proto.UpdateFileClassRequest;
import io.mogul.proto.meta.Command;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class DomainAndClassCommandsTest {
  @TempDir Path dir;
  Fixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new Fixture(dir, 1);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static DomainRef domain(String name) {
    return DomainRef.newBuilder().setName(name).build();
  }

  private static Command raw(Command.Builder b) {
    return b.setTimeMs(1).build();
  }

  @Test
  void createDomainAlsoCreatesDefaultClass() {
    DomainInfo info = f.ok(CreateDomain.prepare(domain("photos"), f)).getDomain();
    assertEquals("photos", info.getName());
    assertEquals(1, info.getClassesCount());
    assertEquals("default", info.getClasses(0).getName());
    assertEquals(2, info.getClasses(0).getMindevcount());
    assertEquals(ReplicationPolicy.MULTIPLE_HOSTS, info.getClasses(0).getPolicy());
  }

  @Test
  void createDomainTwiceFailsWithDomainExists() {
    f.domain("photos");
    f.fails(ErrorReason.DOMAIN_EXISTS, CreateDomain.prepare(domain("photos"), f));
  }

  @Test
  void invalidDomainNameIsRejectedByLeaderAndApply() {
    f.rejects(ErrorReason.INVALID_NAME, ctx -> CreateDomain.prepare(domain("Bad Name"), ctx));
    f.fails(ErrorReason.INVALID_NAME, raw(Command.newBuilder().setCreateDomain(domain(""))));
  }

  @Test
  void deleteDomainRemovesItAndItsClasses() {
    f.domain("photos");
    f.ok(CreateClass.prepare(ClassSpec.newBuilder().setDomain("photos").setName("thumbs").build(), f));
    f.ok(DeleteDomain.prepare(domain("photos"), f));
    assertNull(f.view().domain("photos"));
    assertEquals(0, f.view().classes("photos").size());
  }

  @Test
  void deleteUnknownDomainFails() {
    f.fails(ErrorReason.UNKNOWN_DOMAIN, DeleteDomain.prepare(domain("nope"), f));
  }

  @Test
  void deleteDomainWithFilesFailsWithDomainNotEmpty() {
    f.domain("photos");
    f.host("h1", "", 1);
    f.host("h2", "", 1);
    f.put("photos", "a", 10);
    f.fails(ErrorReason.DOMAIN_NOT_EMPTY, DeleteDomain.prepare(domain("photos"), f));
  }

  @Test
  void createClassWithDefaultsAndExplicitValues() {
    f.domain("d");
    var c = f.ok(CreateClass.prepare(ClassSpec.newBuilder().setDomain("d").setName("c").build(), f)).getClassInfo();
    assertEquals(2, c.getMindevcount());
    assertEquals(ReplicationPolicy.MULTIPLE_HOSTS, c.getPolicy());
    var z = f.ok(CreateClass.prepare(ClassSpec.newBuilder().setDomain("d").setName("z").setMindevcount(3)
        .setPolicy(ReplicationPolicy.ZONE_AWARE).setHashType("CRC32C").build(), f)).getClassInfo();
    assertEquals(3, z.getMindevcount());
    assertEquals(ReplicationPolicy.ZONE_AWARE, z.getPolicy());
    assertEquals("CRC32C", z.getHashType());
  }

  @Test
  void createClassErrors() {
    f.domain("d");
    f.fails(ErrorReason.UNKNOWN_DOMAIN, CreateClass.prepare(ClassSpec.newBuilder().setDomain("x").setName("c").build(), f));
    f.fails(ErrorReason.CLASS_EXISTS, CreateClass.prepare(ClassSpec.newBuilder().setDomain("d").setName("default").build(), f));
    f.rejects(ErrorReason.INVALID_NAME, ctx -> CreateClass.prepare(ClassSpec.newBuilder().setDomain("d").setName("C!").build(), ctx));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> CreateClass.prepare(ClassSpec.newBuilder().setDomain("d").setName("c")
        .setMindevcount(17).build(), ctx));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> CreateClass.prepare(ClassSpec.newBuilder().setDomain("d").setName("c")
        .setHashType("MD5").build(), ctx));
  }

  @Test
  void updateClassChangesOnlyGivenFields() {
    f.domain("d");
    f.ok(CreateClass.prepare(ClassSpec.newBuilder().setDomain("d").setName("c").setMindevcount(3).build(), f));
    var c = f.ok(UpdateClass.prepare(ClassSpec.newBuilder().setDomain("d").setName("c")
        .setPolicy(ReplicationPolicy.MULTIPLE_DEVICES).build(), f)).getClassInfo();
    assertEquals(3, c.getMindevcount());
    assertEquals(ReplicationPolicy.MULTIPLE_DEVICES, c.getPolicy());
    c = f.ok(UpdateClass.prepare(ClassSpec.newBuilder().setDomain("d").setName("c").setMindevcount(1).build(), f)).getClassInfo();
    assertEquals(1, c.getMindevcount());
    assertEquals(ReplicationPolicy.MULTIPLE_DEVICES, c.getPolicy());
  }

  @Test
  void updateUnknownClassFails() {
    f.domain("d");
    f.fails(ErrorReason.UNKNOWN_CLASS, UpdateClass.prepare(ClassSpec.newBuilder().setDomain("d").setName("c").build(), f));
    f.fails(ErrorReason.UNKNOWN_DOMAIN, UpdateClass.prepare(ClassSpec.newBuilder().setDomain("x").setName("c").build(), f));
  }

  @Test
  void deleteClassRules() {
    f.domain("d");
    f.host("h1", "", 1);
    f.host("h2", "", 1);
    f.ok(CreateClass.prepare(ClassSpec.newBuilder().setDomain("d").setName("c").build(), f));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> DeleteClass.prepare(ClassRef.newBuilder().setDomain("d").setName("default").build(), ctx));
    f.fails(ErrorReason.INVALID_ARGUMENT, raw(Command.newBuilder().setDeleteClass(ClassRef.newBuilder().setDomain("d").setName("default"))));
    f.fails(ErrorReason.UNKNOWN_CLASS, DeleteClass.prepare(ClassRef.newBuilder().setDomain("d").setName("nope").build(), f));
    f.put("d", "k", 5);
    f.ok(UpdateFileClass.prepare(UpdateFileClassRequest.newBuilder().setDomain("d").setKey("k").setStorageClass("c").build(), f));
    f.fails(ErrorReason.CLASS_IN_USE, DeleteClass.prepare(ClassRef.newBuilder().setDomain("d").setName("c").build(), f));
    f.ok(UpdateFileClass.prepare(UpdateFileClassRequest.newBuilder().setDomain("d").setKey("k").setStorageClass("").build(), f));
    f.ok(DeleteClass.prepare(ClassRef.newBuilder().setDomain("d").setName("c").build(), f));
    assertNull(f.view().storageClass("d", "c"));
  }
}
