/**
 * Teardown that always runs: a stack of cleanup steps run in reverse order once, on success, on error and on
 * Ctrl-C / SIGTERM (then the process exits 130 / 143). A second Ctrl-C while cleaning up is ignored, so the
 * sandbox's daemons are always stopped.
 */

export class Cleanup {
  private readonly steps: { what: string; run: () => Promise<unknown> }[] = [];
  private running: Promise<void> | undefined;
  /** The signal that interrupted the run, if any (the errors it causes in the run are not worth printing). */
  interrupted: NodeJS.Signals | undefined;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.running) return; // already cleaning up: let it finish
    this.interrupted = signal;
    process.stderr.write(`\n${signal}: stopping the sandbox...\n`);
    void this.run().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };

  /** Installs the signal handlers (call once; uninstalled by run()). */
  trapSignals(): this {
    process.on("SIGINT", this.onSignal);
    process.on("SIGTERM", this.onSignal);
    process.on("SIGHUP", this.onSignal);
    return this;
  }

  /** Registers a step; steps run last-in first-out. */
  add(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run });
  }

  /** Runs every step once (errors are reported, not thrown: the rest still runs). */
  run(): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await step.run();
        } catch (e) {
          process.stderr.write(`cleanup: ${step.what} failed: ${(e as Error).message}\n`);
        }
      }
      process.off("SIGINT", this.onSignal);
      process.off("SIGTERM", this.onSignal);
      process.off("SIGHUP", this.onSignal);
    })();
    return this.running;
  }
}
