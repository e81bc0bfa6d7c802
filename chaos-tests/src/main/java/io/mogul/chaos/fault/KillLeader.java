package io.mogul.chaos.fault;

import io.mogul.launcher.NodeProcess;

/** SIGKILL the tracker that leads the Raft group; healed by starting it again. */
public final class KillLeader implements Fault {
  @Override
  public String name() {
    return "kill-leader";
  }

  @Override
  public Injected inject(FaultContext context) throws Exception {
    NodeProcess leader = context.cluster().leader();
    leader.kill();
    return Restart.of(leader);
  }
}
