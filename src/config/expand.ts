// `${VAR}` and `${VAR:-default}` in config strings. An unset variable without a default is an
// error naming it: never sent as literal text, never silently empty.
import type { Env } from "../env.ts";
import { ConfigError } from "../errors.ts";

const PATTERN = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Expands one string; `where` names the setting for the error (e.g. `server "docs" url`). */
export function expandVars(value: string, env: Env, where: string): string {
  return value.replace(PATTERN, (_, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== "") return found;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`${where}: environment variable ${name} is not set`, {
      hint: `export ${name}=... or write \${${name}:-default} in config.toml`,
    });
  });
}

/**
 * A server's `url` with ${VAR} expanded, as a URL. Validation can only check the literal text, so
 * an expansion that is not an http(s) URL is a config error naming the server (exit 2), not a
 * bare "Invalid URL". The expanded value is not quoted: it may come from a secret-bearing variable.
 */
/** The URL tether talks to for an HTTP server: `url` with ${VAR} expanded, checked, normalized. */
export function serverUrl(ctx: { env: Env }, server: { name: string; url: string }): URL {
  return expandUrl(server.url, ctx.env, server.name);
}

export function expandUrl(value: string, env: Env, serverName: string): URL {
  const expanded = expandVars(value, env, `server "${serverName}" url`);
  const url = URL.canParse(expanded) ? new URL(expanded) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new ConfigError(`server "${serverName}": url ${JSON.stringify(value)} does not expand to an http:// or https:// URL`, {
      hint: "check the environment variables it uses",
    });
  }
  return url;
}

export function expandList(values: string[], env: Env, where: string): string[] {
  return values.map((value) => expandVars(value, env, where));
}

export function expandMap(
  map: Record<string, string>,
  env: Env,
  where: string,
): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [key, expandVars(value, env, `${where}.${key}`)]));
}

/** The value of an env var a setting names (bearer_token_env_var, env_vars, ...); missing is an error. */
export function requireEnvVar(env: Env, name: string, where: string): string {
  const value = env[name];
  if (value === undefined || value === "") {
    throw new ConfigError(`${where}: environment variable ${name} is not set`, { hint: `export ${name}=...` });
  }
  return value;
}

/** `http_headers` (with ${VAR}) plus `env_http_headers` (header → env var name), for servers and providers. */
export function resolveHeaders(
  env: Env,
  httpHeaders: Record<string, string>,
  envHttpHeaders: Record<string, string>,
  where: string,
): Record<string, string> {
  const headers = expandMap(httpHeaders, env, `${where} http_headers`);
  for (const [header, variable] of Object.entries(envHttpHeaders)) {
    headers[header] = requireEnvVar(env, variable, `${where} env_http_headers.${header}`);
  }
  return headers;
}
