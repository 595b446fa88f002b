// What every record of one run carries besides its own attributes (SPEC §7), and the secret
// values no record may contain. Pure: computed once at start from config and environment.
import { expandVars } from "../config/expand.ts";
import type { TetherConfig } from "../config/types.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface RunMetadata {
  /** One per `tether exec` run. */
  conversationId: string;
  appVersion: string;
  terminalType: string;
  model?: string;
  /** `<model_provider>/<model>`: tells the same model name at two providers apart. */
  slug?: string;
  /** `api_key` (the provider's env_key) or `none` (a provider without one); unknown: absent. */
  authMode?: string;
  /** tether has no account login, so this stays absent for now; kept for the record shape. */
  accountId?: string;
}

export interface RunMetadataOptions {
  conversationId: string;
  version: string;
  env: Env;
  config: TetherConfig;
  /** `--model`, which wins over config's `model`. */
  model?: string;
}

export function runMetadata(options: RunMetadataOptions): RunMetadata {
  const { config, env } = options;
  const model = options.model ?? config.model;
  const provider = config.providers[config.modelProvider];
  return {
    conversationId: options.conversationId,
    appVersion: options.version,
    terminalType: terminalType(env),
    model,
    slug: model === undefined ? undefined : `${config.modelProvider}/${model}`,
    authMode: provider ? (provider.envKey ? "api_key" : "none") : undefined,
  };
}

/** The terminal program (TERM_PROGRAM, else TERM), or "non-interactive" when neither is set (CI, cron). */
export function terminalType(env: Env): string {
  return nonEmpty(env.TERM_PROGRAM) ?? nonEmpty(env.TERM) ?? "non-interactive";
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

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
      headerValues(server.httpHeaders);
      Object.values(server.envHttpHeaders).forEach(fromEnv);
    } else {
      server.envVars.forEach(fromEnv);
      Object.values(server.env).forEach((value) => values.add(value));
    }
  }
  if (config.otel.exporter.kind !== "none") headerValues(config.otel.exporter.headers);
  return [...values].filter((value) => value.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}
