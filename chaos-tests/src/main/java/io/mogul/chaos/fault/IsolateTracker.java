package io.mogul.chaos.fault;

import io.mogul.chaos.net.ConnectProxy;
import io.mogul.chaos.net.FaultProxy;
import io.mogul.launcher.NodeProcess;

/**
 * Cuts one tracker off from the other trackers in both directions: its Raft port stops
 * accepting peers and everything it dials fails. Clients and datanodes still reach it, as
 * in a partition between tracker hosts. Healed by reconnecting.
 */
public final class IsolateTracker implements Fault {
  @Override
  public String name() {
    return "isolate-tracker";
  }

  @Override
  public Injected inject(FaultContext context) {
    NodeProcess victim = context.pick(context.runningTrackers());
    FaultProxy in = context.ingress().get(victim.name());
    ConnectProxy out = context.egress().get(victim.name());
    if (in == null || out == null) {
      throw new IllegalStateException("tracker " + victim.name() + " was not started behind fault proxies");
    }
    in.cut();
    out.cut();
    return new Injected() {
      @Override
      public String target() {
        return victim.name();
      }

      @Override
      public void heal() {
        in.heal();
        out.heal();
      }
    };
  }
}
