/**
 * One clock for the whole demo: wall-clock milliseconds with sub-ms resolution (performance.timeOrigin +
 * performance.now()), the same clock the data-plane probe stamps its packets with and close to the capture
 * times ovs-vswitchd writes into the pcaps. The timeline is the list of steps, each with the moment it happened.
 */

export const wallNow = (): number => performance.timeOrigin + performance.now();

export type Actor = "kubevirt" | "ovnkit" | "ovn" | "vm" | "probe" | "demo";

export interface TimelineEvent {
  /** Wall-clock ms. */
  at: number;
  actor: Actor;
  /** A short stable name, e.g. "arm", "sb-additional-chassis" (used by the analysis and the tests). */
  step: string;
  /** What a reader sees in the table. */
  text: string;
}

export class Timeline {
  readonly events: TimelineEvent[] = [];

  /** Records a step now (or at `at`) and returns its time. */
  mark(actor: Actor, step: string, text: string, at = wallNow()): number {
    this.events.push({ at, actor, step, text });
    return at;
  }

  /** The time of the first event with this step name (undefined when it never happened). */
  at(step: string): number | undefined {
    return this.events.find((e) => e.step === step)?.at;
  }

  /** Like at(), but throws when the step is missing (a scenario bug). */
  require(step: string): number {
    const t = this.at(step);
    if (t === undefined) throw new Error(`timeline has no step "${step}"`);
    return t;
  }

  /** Events in time order. */
  sorted(): TimelineEvent[] {
    return [...this.events].sort((a, b) => a.at - b.at);
  }
}
