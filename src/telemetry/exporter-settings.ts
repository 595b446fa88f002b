// The `[otel] exporter` table turned into what an OTLP exporter needs: a full URL and expanded
// headers. Pure and free of OpenTelemetry, so a bad endpoint or an unset `${VAR}` is a config error
// (exit 2) before any exporter code loads, in every build.
import type { Env } from "../env.ts";
import { expandMap } from "../config/expand.ts";
import type { OtelExporterConfig } from "../config/types.ts";
import { ConfigError } from "../errors.ts";

export type ExporterSettings =
  | { kind: "otlp-http"; protocol: "binary" | "json"; url: string; headers: Record<string, string> }
  | { kind: "otlp-grpc"; url: string; secure: boolean; headers: Record<string, string> };

const LOGS_PATH = "/v1/logs";

/** Which `[otel]` key a table came from, and the OTLP/HTTP path of its signal. */
export interface OtlpSignal {
  key: string;
  path: string;
}

const LOGS: OtlpSignal = { key: "exporter", path: LOGS_PATH };

// Traces (issue 23): `[otel] trace_exporter`, the same table; over HTTP its URL ends in /v1/traces.
export const TRACES: OtlpSignal = { key: "trace_exporter", path: "/v1/traces" };

// Metrics (issue 23): `[otel] metrics_exporter`, the same table; over HTTP its URL ends in /v1/metrics.
export const METRICS: OtlpSignal = { key: "metrics_exporter", path: "/v1/metrics" };

/** Undefined for `exporter = "none"`. Throws ConfigError for a bad endpoint or an unset header variable. */
export function resolveExporterSettings(
  exporter: OtelExporterConfig,
  env: Env,
  signal: OtlpSignal = LOGS,
): ExporterSettings | undefined {
  if (exporter.kind === "none") return undefined;
  const where = `[otel] ${signal.key} ${exporter.kind}`;
  const headers = expandMap(exporter.headers, env, `${where} headers`);
  const endpoint = parseEndpoint(exporter.endpoint, where);
  if (exporter.kind === "otlp-http") {
    return { kind: "otlp-http", protocol: exporter.protocol, url: signalUrl(endpoint, signal.path), headers };
  }
  // gRPC addresses a host and port; the service path is fixed by the protocol.
  return { kind: "otlp-grpc", url: endpoint.origin, secure: endpoint.protocol === "https:", headers };
}

function parseEndpoint(endpoint: string, where: string): URL {
  const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new ConfigError(`${where}: endpoint must be an http(s) URL, got ${JSON.stringify(endpoint)}`, {
      hint: 'e.g. endpoint = "http://localhost:4318/v1/logs" (otlp-http) or "http://localhost:4317" (otlp-grpc)',
    });
  }
  return url;
}

/**
 * Codex configs give the full logs URL (`…/v1/logs`); OTEL_EXPORTER_OTLP_ENDPOINT-style configs give
 * the collector's base URL. Accept both: append `/v1/logs` (`/v1/traces`, …) unless the path
 * already ends with it (then the URL is used as written).
 */
export function signalUrl(endpoint: URL, signalPath: string): string {
  const url = new URL(endpoint.href);
  const path = url.pathname.replace(/\/+$/, "");
  if (!path.endsWith(signalPath)) url.pathname = `${path}${signalPath}`;
  return url.href;
}
