// Traces (issue 23) in `tether mcp serve`: each downstream request is a `tether.serve_request`
// SERVER span, the child of the client's `_meta.traceparent` when it sent one (SEP-414), else the
// root of a trace of its own; the upstream requests made for it (src/mcp/trace-transport.ts) are
// its children and carry its context on, so one trace runs client → tether → server. With traces
// off, the client's context still reaches the upstreams unchanged. `baggage` is never passed on.
import type { Server, ServerContext } from "@modelcontextprotocol/server";
import { TRACEPARENT_META_KEY, TRACESTATE_META_KEY } from "@modelcontextprotocol/client";
import { parseTraceparent, type TraceParent } from "../telemetry/trace-context.ts";
import { errorText, SpanKind, type Tracer } from "../telemetry/traces.ts";

type Handler = (request: { method: string; params?: Record<string, unknown> }, ctx: ServerContext) => unknown;

/** Wraps every request handler `server` registers from now on; call it before registering them. */
export function traceServedRequests(server: Server, tracer: Tracer, transport: "stdio" | "http"): void {
  if (!tracer.propagating) return;
  const register = server.setRequestHandler.bind(server) as unknown as (method: string, handler: Handler) => void;
  const traced = (method: string, handler: Handler) =>
    register(method, (request, ctx) => {
      const span = tracer.start("tether.serve_request", {
        kind: SpanKind.SERVER,
        parent: downstreamContext(request.params, ctx) ?? null,
        attributes: {
          "mcp.method.name": method,
          "jsonrpc.request.id": String(ctx.mcpReq.id),
                "network.transport": transport === "stdio" ? "pipe" : "tcp",
          "gen_ai.operation.name": method === "tools/call" ? "execute_tool" : undefined,
          "gen_ai.tool.name": method === "tools/call" && typeof request.params?.name === "string" ? request.params.name : undefined,
          "gen_ai.prompt.name": method === "prompts/get" && typeof request.params?.name === "string" ? request.params.name : undefined,
        },
      });
      return tracer.within(span, async () => {
        try {
          const result = await handler(request, ctx);
          if ((result as { isError?: unknown } | undefined)?.isError === true) {
            span.set({ "error.type": "tool_error" });
            span.fail("the tool returned an error");
          }
          return result;
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          if (typeof code === "number") span.set({ "rpc.response.status_code": String(code), "error.type": String(code) });
          span.fail(errorText(error));
          throw error;
        } finally {
          span.end();
        }
      });
    });
  (server as unknown as { setRequestHandler: typeof traced }).setRequestHandler = traced;
}

/** The client's W3C trace context, from the request's `_meta` as the SDK hands it over. */
function downstreamContext(params: Record<string, unknown> | undefined, ctx: ServerContext): TraceParent | undefined {
  const meta = (ctx.mcpReq._meta ?? params?._meta) as Record<string, unknown> | undefined;
  const fromParams = params?._meta as Record<string, unknown> | undefined;
  const traceparent = meta?.[TRACEPARENT_META_KEY] ?? fromParams?.[TRACEPARENT_META_KEY];
  const tracestate = meta?.[TRACESTATE_META_KEY] ?? fromParams?.[TRACESTATE_META_KEY];
  return parseTraceparent(traceparent, tracestate);
}
