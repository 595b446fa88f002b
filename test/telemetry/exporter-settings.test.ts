// How the `[otel] exporter` table becomes an exporter's URL and headers.
import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/errors.ts";
import { resolveExporterSettings, TRACES } from "../../src/telemetry/exporter-settings.ts";

const http = (endpoint: string, headers: Record<string, string> = {}) =>
  ({ kind: "otlp-http", endpoint, protocol: "binary", headers }) as const;

describe("otlp-http endpoint", () => {
  test.each([
    ["http://collector:4318", "http://collector:4318/v1/logs"],
    ["http://collector:4318/", "http://collector:4318/v1/logs"],
    ["https://collector.example/v1/logs", "https://collector.example/v1/logs"],
    ["https://collector.example/v1/logs/", "https://collector.example/v1/logs/"],
    ["https://gateway.example/otlp", "https://gateway.example/otlp/v1/logs"],
    ["https://gateway.example/otlp/v1/logs?tenant=a", "https://gateway.example/otlp/v1/logs?tenant=a"],
  ])("%s posts to %s", (endpoint, url) => {
    expect(resolveExporterSettings(http(endpoint), {})).toEqual({ kind: "otlp-http", protocol: "binary", url, headers: {} });
  });

  test("json keeps its protocol", () => {
    const settings = resolveExporterSettings({ ...http("http://c:4318"), protocol: "json" }, {});
    expect(settings).toMatchObject({ kind: "otlp-http", protocol: "json" });
  });
});

describe("otlp-grpc endpoint", () => {
  test("http:// is an insecure channel, https:// a TLS one; a path is dropped", () => {
    const grpc = (endpoint: string) => resolveExporterSettings({ kind: "otlp-grpc", endpoint, headers: {} }, {});
    expect(grpc("http://127.0.0.1:4317")).toEqual({ kind: "otlp-grpc", url: "http://127.0.0.1:4317", secure: false, headers: {} });
    expect(grpc("https://otel.example:443/ignored")).toEqual({ kind: "otlp-grpc", url: "https://otel.example", secure: true, headers: {} });
  });
});

test("none needs nothing", () => {
  expect(resolveExporterSettings({ kind: "none" }, {})).toBeUndefined();
});

test("header values expand ${VAR} and ${VAR:-default}", () => {
  const settings = resolveExporterSettings(
    http("http://c:4318", { authorization: "Bearer ${OTEL_TOKEN}", "x-team": "${TEAM:-core}" }),
    { OTEL_TOKEN: "t0k3n" },
  );
  expect(settings?.headers).toEqual({ authorization: "Bearer t0k3n", "x-team": "core" });
});

test("an unset variable is a ConfigError naming it and the header (exit 2)", () => {
  const run = () => resolveExporterSettings({ kind: "otlp-grpc", endpoint: "http://c:4317", headers: { "x-key": "${NOPE}" } }, {});
  expect(run).toThrow(ConfigError);
  expect(run).toThrow("[otel] exporter otlp-grpc headers.x-key: environment variable NOPE is not set");
});

test.each(["collector:4318", "127.0.0.1:4317", "ftp://collector/v1/logs", "not a url"])(
  "endpoint %p is rejected with a hint",
  (endpoint) => {
    try {
      resolveExporterSettings(http(endpoint), {});
      throw new Error("accepted");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toBe(`[otel] exporter otlp-http: endpoint must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
      expect((error as ConfigError).hint).toContain("http://localhost:4318/v1/logs");
    }
  },
);

// Traces (issue 23): `[otel] trace_exporter`, the same table; spans go to /v1/traces.
describe("trace_exporter", () => {
  test.each([
    ["http://collector:4318", "http://collector:4318/v1/traces"],
    ["https://collector.example/v1/traces", "https://collector.example/v1/traces"],
    ["https://gateway.example/otlp", "https://gateway.example/otlp/v1/traces"],
  ])("%s posts to %s", (endpoint, url) => {
    expect(resolveExporterSettings(http(endpoint), {}, TRACES)).toEqual({ kind: "otlp-http", protocol: "binary", url, headers: {} });
  });

  test("errors name the trace_exporter key", () => {
    const run = () => resolveExporterSettings({ kind: "otlp-grpc", endpoint: "http://c:4317", headers: { "x-key": "${NOPE}" } }, {}, TRACES);
    expect(run).toThrow("[otel] trace_exporter otlp-grpc headers.x-key: environment variable NOPE is not set");
  });
});
