// Who answers the requests a server sends tether (elicitation today). It is a property of the run
// (is there a terminal, which --input flags were given), so it lives on the context
// (ctx.serverRequests): the command sets it, and every connection the run opens uses it.
import type { ElicitRequestFormParams, ElicitRequestURLParams, ElicitResult } from "@modelcontextprotocol/client";
import type { ServerConfig } from "../config/types.ts";

export interface ServerRequestHandlers {
  /** A form (mode absent or "form") or a URL elicitation from `server`. */
  elicit(server: ServerConfig, params: ElicitRequestFormParams | ElicitRequestURLParams): Promise<ElicitResult>;
}

/** Without an answerer (doctor, list --status), every elicitation is declined. */
export const DECLINE_EVERYTHING: ServerRequestHandlers = {
  elicit: async () => ({ action: "decline" }),
};
