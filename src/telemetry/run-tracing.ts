// The run's tracing, as the Context holds it (ctx.tracing): light enough to build for every
// command, it loads the tracer (./traces.ts) and starts the exporter only when a command asks for
// it and `[otel] trace_exporter` is set or TRACEPARENT came from the environment.
import type { Context } from "../context.ts";
import type { Tracer } from "./traces.ts";

export interface RunTracing {
  /** The run's tracer, made on first call; NOOP_TRACER when traces are off and no trace was inherited. */
  tracer(): Promise<Tracer>;
  /** Names the run's root span from its command (`tether mcp call` → `tether.mcp.call`); set by runCli. */
  command(names: () => Promise<string[]>): void;
  /** The command failed: the root span's status says so. */
  fail(error: unknown): void;
  /**
   * The command relays other parties' requests (`mcp serve`): a downstream request's trace context
   * reaches the upstreams even when tether's own traces are off. Called before tracer().
   */
  relay(): void;
}

type TracingContext = Pick<Context, "env" | "now" | "version" | "debug" | "atExit" | "config" | "log" | "telemetryWorker">;

export function runTracing(ctx: TracingContext): RunTracing {
  const startedAt = ctx.now();
  let names: () => Promise<string[]> = async () => ["tether"];
  let tracer: Promise<Tracer> | undefined;
  let failure: unknown;
  let hasFailure = false;
  let relay = false;
  return {
    tracer() {
      tracer ??= (async () => {
        const [{ startTracer }, { NOOP_TRACER }, loaded] = await Promise.all([
          import("./trace-start.ts"),
          import("./traces.ts"),
          // A command that runs without a readable config (its own error says why) has no traces.
          ctx.config().catch(() => undefined),
        ]);
        if (!loaded) return NOOP_TRACER;
        const made = await startTracer(ctx, loaded.config, { startedAt, relay, rootName: async () => (await names().catch(() => ["tether"])).join(".") });
        if (hasFailure) made.fail(failure);
        return made;
      })();
      return tracer;
    },
    command(resolve) {
      names = resolve;
    },
    relay() {
      relay = true;
    },
    fail(error) {
      failure = error;
      hasFailure = true;
      void tracer?.then((made) => made.fail(error));
    },
  };
}
