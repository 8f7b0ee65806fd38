/** Synthetic inputs for the demo analysis suites (not a test file). */
import { analyzeStream, type Delivery, type ProbeReport, type SentPacket } from "@ovnkit/sandbox";
import { Timeline } from "../../examples/demo/clock.js";

/** A timeline with each step marked (by "demo") at `t0` + its offset in ms. */
export function syntheticTimeline(t0: number, steps: Record<string, number>): Timeline {
  const timeline = new Timeline();
  for (const [step, at] of Object.entries(steps)) timeline.mark("demo", step, step, t0 + at);
  return timeline;
}

/** A probe report from `t0` to `t0` + 700 ms of 5 ms streams with the given packets sent and deliveries seen. */
export function syntheticProbe(
  t0: number, toVm: { sent: SentPacket[]; delivered: Delivery[] }, fromVm: { sent: SentPacket[]; delivered: Delivery[] },
): ProbeReport {
  return {
    startedAt: t0, stoppedAt: t0 + 700, sendErrors: [],
    toVm: analyzeStream(toVm.sent, toVm.delivered, 5), fromVm: analyzeStream(fromVm.sent, fromVm.delivered, 5),
  };
}
