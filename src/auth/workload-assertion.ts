// Workload identity (issue 21 item 5, SEP-1933): the platform's token that a jwt_bearer grant
// presents as its assertion, from a file (a Kubernetes projected service-account token), an env
// var, or GitHub Actions' OIDC endpoint. The token is a secret: no message here ever quotes it.
import { readBoundedBody } from "../net/byte-limit.ts";
import type { Context } from "../context.ts";
import { expandVars, requireEnvVar } from "../config/expand.ts";
import type { AssertionSource } from "../config/types.ts";
import { AuthError, ConfigError } from "../errors.ts";
import { readBoundedText } from "../files/bounded-read.ts";
import { timedFetch } from "./timed-fetch.ts";

/** A platform JWT is a few KiB (a Kubernetes token ~1-2 KiB); anything much larger is not one. */
const MAX_ASSERTION_BYTES = 64 * 1024;
/** How long GitHub Actions' token endpoint may take to answer. */
const GITHUB_OIDC_TIMEOUT_MS = 30_000;
/** Its answer is one small JSON object (`{"value": "<jwt>"}`); the most tether reads of it. */
const MAX_GITHUB_OIDC_RESPONSE_BYTES = 64 * 1024;

/** The token for one token request; `issuer` is the MCP server's authorization server (the default audience). */
export type AssertionReader = (issuer: string | undefined) => Promise<string>;

export function assertionReader(ctx: Context, serverName: string, source: AssertionSource): AssertionReader {
  const where = `server "${serverName}"`;
  switch (source.kind) {
    case "file": {
      const path = expandVars(source.path, ctx.env, `${where} oauth_assertion_file`);
      // Read on every token request: the kubelet rewrites a projected token before it expires.
      return async () => readAssertionFile(path, where);
    }
    case "env_var":
      return async () => nonEmpty(requireEnvVar(ctx.env, source.name, `${where} oauth_assertion_env_var`).trim(), `${where}: $${source.name} is empty`);
    case "github-actions":
      return (issuer) => fetchGitHubActionsToken(ctx, where, source.audience ?? issuer);
  }
}

function readAssertionFile(path: string, where: string): string {
  const text = readBoundedText(path, {
    maxBytes: MAX_ASSERTION_BYTES,
    limitName: "the workload token size limit",
    notAFileHint: "point oauth_assertion_file at the token file (in Kubernetes, the projected service-account token's path)",
  });
  if (text === undefined) {
    throw new ConfigError(`${where}: oauth_assertion_file ${path} does not exist`, {
      hint: "in Kubernetes, mount a projected service-account token (serviceAccountToken volume) at that path",
    });
  }
  return nonEmpty(text.trim(), `${where}: oauth_assertion_file ${path} is empty`);
}

function nonEmpty(token: string, message: string): string {
  if (!token) throw new ConfigError(message);
  return token;
}

/**
 * GitHub Actions' OIDC token for `audience`: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=… with
 * `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`. Both variables exist only in a job
 * with `permissions: id-token: write`.
 */
async function fetchGitHubActionsToken(ctx: Context, where: string, audience: string | undefined): Promise<string> {
  const requestUrl = ctx.env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = ctx.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!requestUrl || !requestToken) {
    throw new AuthError(`${where}: no GitHub Actions OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set`, {
      hint: "run in a GitHub Actions job with `permissions: id-token: write`",
    });
  }
  if (!audience) throw new AuthError(`${where}: no audience for the GitHub Actions OIDC token`, { hint: "set oauth_assertion_audience" });
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    throw new AuthError(`${where}: ACTIONS_ID_TOKEN_REQUEST_URL is not a URL`);
  }
  url.searchParams.set("audience", audience);
  const failed = (reason: string) => new AuthError(`${where}: GitHub Actions did not issue an OIDC token (${reason})`);
  let response: Response;
  try {
    response = await timedFetch(ctx, GITHUB_OIDC_TIMEOUT_MS)(url, { headers: { Authorization: `bearer ${requestToken}`, Accept: "application/json" } });
  } catch (error) {
    throw failed(error instanceof Error && error.name === "TimeoutError" ? `no answer within ${GITHUB_OIDC_TIMEOUT_MS / 1000}s` : "the request failed");
  }
  // The body of a refusal is not shown: it is the platform's, and may echo the request's token.
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw failed(`HTTP ${response.status}`);
  }
  const text = await readBoundedBody(response, MAX_GITHUB_OIDC_RESPONSE_BYTES);
  if (text === undefined) throw failed(`an answer larger than ${MAX_GITHUB_OIDC_RESPONSE_BYTES} bytes`);
  let value: unknown;
  try {
    value = (JSON.parse(text) as { value?: unknown })?.value;
  } catch {
    throw failed("an answer that is not JSON");
  }
  if (typeof value !== "string" || !value) throw failed('an answer without "value"');
  return value;
}
