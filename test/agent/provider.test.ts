import { describe, expect, test } from "bun:test";
import { resolveModelTarget } from "../../src/agent/provider.ts";
import { normalizeConfig } from "../../src/config/normalize.ts";
import type { RawConfig } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/errors.ts";

const config = (raw: RawConfig) => normalizeConfig(raw);
/** The model stream bounds every provider gets unless its table sets them. */
const DEFAULT_STREAM = { idleTimeoutMs: 300_000, totalTimeoutMs: 3_600_000, maxBytes: 32 * 1024 * 1024, maxEventBytes: 8 * 1024 * 1024 };

function failure(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("resolveModelTarget", () => {
  test("the built-in openai provider reads OPENAI_API_KEY; --model overrides model", () => {
    const target = resolveModelTarget({ OPENAI_API_KEY: "sk-1" }, config({ model: "gpt-5-codex" }), "gpt-other");
    expect(target).toEqual({
      model: "gpt-other",
      providerId: "openai",
      provider: { id: "openai", baseUrl: "https://api.openai.com/v1", envKey: "OPENAI_API_KEY", queryParams: {}, httpHeaders: {}, stream: DEFAULT_STREAM },
      apiKey: "sk-1",
    });
  });

  test("a missing key names the env var (exit 2)", () => {
    const error = failure(() => resolveModelTarget({}, config({ model: "m" }), undefined));
    expect(error.message).toBe('the API key for model provider "openai" is missing: environment variable OPENAI_API_KEY is not set');
    expect(error.exitCode).toBe(2);
  });

  test("a custom provider: headers and query params with ${VAR}, env_http_headers, no env_key means no key", () => {
    const raw: RawConfig = {
      model: "local",
      model_provider: "local",
      model_providers: {
        local: {
          base_url: "http://127.0.0.1:8080/v1",
          query_params: { "api-version": "${API_VERSION:-2025-01-01}" },
          http_headers: { "X-Team": "${TEAM}" },
          env_http_headers: { "X-Org": "ORG_ID" },
        },
      },
    };
    const target = resolveModelTarget({ TEAM: "core", ORG_ID: "org-9" }, config(raw));
    expect(target.apiKey).toBeUndefined();
    expect(target.provider).toEqual({
      id: "local",
      baseUrl: "http://127.0.0.1:8080/v1",
      envKey: undefined,
      queryParams: { "api-version": "2025-01-01" },
      httpHeaders: { "X-Team": "core", "X-Org": "org-9" },
      stream: DEFAULT_STREAM,
    });
    expect(failure(() => resolveModelTarget({ TEAM: "core" }, config(raw))).message).toBe(
      'model provider "local" env_http_headers.X-Org: environment variable ORG_ID is not set',
    );
  });

  test("an unknown provider and a missing model are config errors with hints", () => {
    const unknown = failure(() => resolveModelTarget({}, config({ model: "m", model_provider: "azure" })));
    expect(unknown.message).toBe('model_provider "azure" is not defined');
    expect(unknown.hint).toContain("[model_providers.azure]");
    const noModel = failure(() => resolveModelTarget({ OPENAI_API_KEY: "k" }, config({})));
    expect(noModel.message).toBe("no model is set");
    expect(noModel.hint).toBe('pass --model NAME, or set model = "NAME" in config.toml');
  });
});
