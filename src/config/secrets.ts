// The secret values tether knows in one run (API keys, bearer tokens, header values from the
// environment), so text from elsewhere (a server echoing a header, an error body) can be scrubbed
// before it is shown or exported.
import type { Env } from "../env.ts";
import { expandVars } from "./expand.ts";
import type { TetherConfig } from "./types.ts";

/**
 * Shorter values are not treated as secrets: a header like `X-Region: eu` would otherwise blank
 * out every "eu" in tool output, and a real token is never this short.
 */
export const MIN_SECRET_LENGTH = 8;

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g;

/**
 * Every credential or header value tether knows for this run: API key, bearer tokens, client
 * secrets, env_vars passed to servers, and configured header values (the [otel] ones included).
 * Longest first, so a secret that contains another is replaced whole.
 */
export function knownSecrets(env: Env, config: TetherConfig, extraValues: Iterable<string> = []): string[] {
  const values = new Set<string>(extraValues);
  const fromEnv = (name: string | undefined) => {
    if (name !== undefined && env[name] !== undefined) values.add(env[name]!.trim());
  };
  const headerValues = (headers: Record<string, string>) => {
    for (const value of Object.values(headers)) {
      values.add(value);
      // `Bearer ${TOKEN}`: the token alone is as secret as the whole header.
      for (const match of value.matchAll(VARIABLE)) fromEnv(match[1]);
      try {
        values.add(expandVars(value, env, "header"));
      } catch {
        // An unset variable is reported where the header is used; here there is nothing to hide.
      }
    }
  };
  for (const provider of Object.values(config.providers)) {
    fromEnv(provider.envKey);
    headerValues(provider.httpHeaders);
    Object.values(provider.envHttpHeaders).forEach(fromEnv);
  }
  for (const server of config.servers) {
    if (server.transport === "http") {
      fromEnv(server.bearerTokenEnvVar);
      fromEnv(server.oauth.clientSecretEnvVar);
      // Workload identity (issue 21 item 5): the platform's token, and GitHub's token for asking for one.
      const assertion = server.oauth.assertion;
      if (assertion?.kind === "env_var") fromEnv(assertion.name);
      if (assertion?.kind === "github-actions") fromEnv("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
      headerValues(server.httpHeaders);
      Object.values(server.envHttpHeaders).forEach(fromEnv);
    } else {
      server.envVars.forEach(fromEnv);
      Object.values(server.env).forEach((value) => values.add(value));
    }
  }
  if (config.otel.exporter.kind !== "none") headerValues(config.otel.exporter.headers);
  // Metrics (issue 23): the metrics collector's headers are secrets too.
  if (config.otel.metricsExporter.kind !== "none") headerValues(config.otel.metricsExporter.headers);
  return [...values].filter((value) => value.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

export const REDACTED = "[redacted]";

/** `text` with every known secret replaced by [redacted]; `secrets` longest first (as knownSecrets returns them). */
export function redactKnownSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) if (redacted.includes(secret)) redacted = redacted.split(secret).join(REDACTED);
  return redacted;
}
