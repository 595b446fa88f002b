// Who answers the requests a server sends tether (elicitation today): the command that opens the
// connection registers its answerer for the run, and every connection the run opens uses it.
//
// Why a registry keyed by the run's context rather than a parameter: connections are opened in
// several places (mcp commands, probe, exec's connectAll), and the answerer is a property of the
// run (is there a terminal, which --input flags were given), not of one call.
import type { ElicitRequestFormParams, ElicitRequestURLParams, ElicitResult } from "@modelcontextprotocol/client";
import type { Context } from "../context.ts";
import type { ServerConfig } from "../config/types.ts";

export interface ServerRequestHandlers {
  /** A form (mode absent or "form") or a URL elicitation from `server`. */
  elicit(server: ServerConfig, params: ElicitRequestFormParams | ElicitRequestURLParams): Promise<ElicitResult>;
}

/** Without an answerer (doctor, list --status), every elicitation is declined. */
export const DECLINE_EVERYTHING: ServerRequestHandlers = {
  elicit: async () => ({ action: "decline" }),
};

const registered = new WeakMap<Context, ServerRequestHandlers>();

export function setServerRequestHandlers(ctx: Context, handlers: ServerRequestHandlers): void {
  registered.set(ctx, handlers);
}

export function serverRequestHandlers(ctx: Context): ServerRequestHandlers {
  return registered.get(ctx) ?? DECLINE_EVERYTHING;
}
