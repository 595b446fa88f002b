// Which model, at which provider, with which key: config's `model`/`model_provider` plus `--model`.
import type { Env } from "../context.ts";
import { expandMap, resolveHeaders } from "../config/expand.ts";
import type { TetherConfig } from "../config/types.ts";
import {
  DEFAULT_STREAM_IDLE_TIMEOUT_SEC,
  DEFAULT_STREAM_MAX_BYTES,
  DEFAULT_STREAM_MAX_EVENT_BYTES,
  DEFAULT_STREAM_TOTAL_TIMEOUT_SEC,
} from "../config/types.ts";
import { ConfigError } from "../errors.ts";
import type { ModelProvider } from "./responses.ts";

export interface ModelTarget {
  model: string;
  /** The key under `[model_providers]`, e.g. `openai`. */
  providerId: string;
  provider: ModelProvider;
  /** Undefined for a provider without `env_key` (a local server that wants no key). */
  apiKey?: string;
}

export function resolveModelTarget(env: Env, config: TetherConfig, modelOverride?: string): ModelTarget {
  const providerId = config.modelProvider;
  const where = `model provider "${providerId}"`;
  const entry = config.providers[providerId];
  if (!entry) {
    throw new ConfigError(`model_provider "${providerId}" is not defined`, {
      hint: `add [model_providers.${providerId}] with base_url and env_key to config.toml, or use one of: ${Object.keys(config.providers).join(", ")}`,
    });
  }
  const model = modelOverride ?? config.model;
  if (!model) {
    throw new ConfigError("no model is set", { hint: 'pass --model NAME, or set model = "NAME" in config.toml' });
  }
  if (!/^https?:\/\//i.test(entry.baseUrl) || !URL.canParse(entry.baseUrl)) {
    throw new ConfigError(`${where} has no valid base_url (got ${JSON.stringify(entry.baseUrl)})`, {
      hint: `set base_url = "https://..." under [model_providers.${providerId}]`,
    });
  }
  const httpHeaders = resolveHeaders(env, entry.httpHeaders, entry.envHttpHeaders, where);
  const provider: ModelProvider = {
    id: providerId,
    baseUrl: entry.baseUrl,
    envKey: entry.envKey,
    queryParams: expandMap(entry.queryParams, env, `${where} query_params`),
    httpHeaders,
    stream: {
      idleTimeoutMs: (entry.streamIdleTimeoutSec ?? DEFAULT_STREAM_IDLE_TIMEOUT_SEC) * 1000,
      totalTimeoutMs: (entry.streamTotalTimeoutSec ?? DEFAULT_STREAM_TOTAL_TIMEOUT_SEC) * 1000,
      maxBytes: entry.streamMaxBytes ?? DEFAULT_STREAM_MAX_BYTES,
      maxEventBytes: entry.streamMaxEventBytes ?? DEFAULT_STREAM_MAX_EVENT_BYTES,
    },
  };
  return { model, providerId, provider, apiKey: apiKeyFor(env, providerId, entry.envKey) };
}

function apiKeyFor(env: Env, providerId: string, envKey: string | undefined): string | undefined {
  if (envKey === undefined) return undefined;
  const key = env[envKey];
  if (key === undefined || key.trim() === "") {
    throw new ConfigError(`the API key for model provider "${providerId}" is missing: environment variable ${envKey} is not set`, {
      hint: `export ${envKey}=... (tether reads the key from the environment, never from config.toml)`,
    });
  }
  return key.trim();
}
