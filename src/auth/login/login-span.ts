// Traces (issue 23): a login is one `tether.login` span (which server, which flow, how it ended);
// the OAuth requests inside it carry no trace headers, since authorization servers are third parties.
import type { Context } from "../../context.ts";
import { inSpan } from "../../telemetry/traces.ts";

export async function inLoginSpan<T>(ctx: Pick<Context, "tracing">, server: string, flow: "browser" | "device", login: () => Promise<T>): Promise<T> {
  const tracer = await ctx.tracing.tracer();
  return inSpan(tracer, "tether.login", { attributes: { "mcp.server": server, "tether.login.flow": flow } }, () => login());
}
