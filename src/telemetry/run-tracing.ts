// The run's tracing, as the Context holds it (ctx.tracing): light enough to build for every
// command, it loads the tracer (./traces.ts) and starts the exporter only when a command asks for
// it and `[otel] trace_exporter` is set or TRACEPARENT came from the environment.
import type { Context } from "../context.ts";
import type { RunTracing, Tracer } from "./traces.ts";


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
