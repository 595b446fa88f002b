// Traces (issue 23) through the keep-alive daemon: a command's request carries its active trace
// context (`trace`), and the daemon handles it in a `tether.daemon_request` SERVER span under it, so
// the MCP requests the daemon's connection sends (src/mcp/trace-transport.ts) are in the command's
// trace and carry it on to the server. As serve does, the daemon relays the context with traces off.
import type { Context } from "../context.ts";
import { parseTraceparent } from "../telemetry/trace-context.ts";
import { inSpan, SpanKind, type Tracer } from "../telemetry/traces.ts";

/** What a command adds to a daemon request: the context of its active span, if any. */
export function outgoingTrace(tracer: Tracer): { trace?: { traceparent: string; tracestate?: string } } {
  const trace = tracer.propagating ? tracer.outgoing() : undefined;
  return trace ? { trace } : {};
}

/** Runs the daemon's handling of one request in a span continuing the command's trace. */
export async function inDaemonRequest<T>(ctx: Pick<Context, "tracing" | "log">, method: string, params: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  // A tracer that cannot start (a bad [otel] trace_exporter) must not fail the request it would
  // only describe: every request, `status` included, would then go unanswered. The command that
  // asked reports the config error itself (remote.ts takes its own tracer first).
  const tracer = await ctx.tracing.tracer().catch((error: unknown) => {
    ctx.log.debug(`traces are off in the daemon: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  if (!tracer?.propagating) return work();
  const trace = params.trace as { traceparent?: unknown; tracestate?: unknown } | undefined;
  const attributes = { "tether.daemon.method": method, "mcp.server": typeof params.server === "string" ? params.server : undefined };
  return inSpan(tracer, "tether.daemon_request", { kind: SpanKind.SERVER, parent: parseTraceparent(trace?.traceparent, trace?.tracestate) ?? null, attributes }, () => work());
}
