// Decides how tether authenticates to an HTTP server: static headers and bearer token from
// config. (OAuth credentials join here, so every command shares one code path.)
import type { Context } from "../context.ts";
import type { HttpServerConfig } from "../config/types.ts";
import { configuredHeaders, type HttpAuth } from "./http.ts";

export async function resolveHttpAuth(ctx: Context, server: HttpServerConfig): Promise<HttpAuth> {
  return { headers: configuredHeaders(ctx, server) };
}
