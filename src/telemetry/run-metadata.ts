// What every record of one run carries besides its own attributes (SPEC §7), and the secret
// values no record may contain. Pure: computed once at start from config and environment.
import type { Env } from "../env.ts";
import type { TetherConfig } from "../config/types.ts";

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

export { knownSecrets, MIN_SECRET_LENGTH } from "../config/secrets.ts";
