// How server entries look: the list table, the detail view, and the `add` confirmation.
import type { IO } from "../../context.ts";
import { authLabel, describeServer, serverTarget, type AuthView, type ServerView } from "../../config/describe.ts";
import type { AddServerResult } from "../../config/server-edits.ts";
import type { ServerConfig } from "../../config/types.ts";
import type { ProbeResult } from "../../mcp/connect-all.ts";
import { redactKnownSecrets } from "../../config/secrets.ts";
import { note, printDetails, printJson, printTable, type Column } from "../render.ts";

export interface ListRow {
  server: ServerConfig;
  auth?: AuthView;
}

const LIST_COLUMNS: Column<ListRow>[] = [
  { header: "NAME", value: (r) => r.server.name, style: () => "bold" },
  { header: "TRANSPORT", value: (r) => r.server.transport },
  { header: "COMMAND/URL", value: (r) => serverTarget(r.server) },
  { header: "ENABLED", value: (r) => (r.server.enabled ? "yes" : "no"), style: (v) => (v === "no" ? "dim" : undefined) },
  { header: "AUTH", value: (r) => authLabel(r.auth ?? describeServer(r.server).auth) },
];

export function listItemJson(row: ListRow): Record<string, unknown> {
  const view = describeServer(row.server, row.auth);
  return {
    name: view.name,
    transport: view.transport,
    command: view.command,
    args: view.args,
    url: view.url,
    enabled: view.enabled,
    auth: view.auth,
  };
}

/** `auth[i]` is the live auth state of `servers[i]` (OAuth login state from the store); config's view otherwise. */
export function renderServerList(io: IO, servers: ServerConfig[], options: { json: boolean; auth?: AuthView[] }): void {
  const rows = servers.map((server, i) => ({ server, auth: options.auth?.[i] }));
  if (options.json) return printJson(io, { servers: rows.map(listItemJson) });
  if (rows.length === 0) return printNoServers(io);
  printTable(io, LIST_COLUMNS, rows);
}

export function printNoServers(io: IO): void {
  note(io, "No MCP servers configured yet. Add one, for example:");
  note(io, "  tether mcp add docs -- npx -y @acme/docs-mcp");
  note(io, "  tether mcp add github --url https://api.githubcopilot.com/mcp/ --bearer-token-env-var=GITHUB_PAT");
}

/**
 * `readOnlyUnasked`: auto_approve_read_only as it applies to this server (its own, else the top
 * level's). Shown whenever it is on, inherited or not: the server decides what runs unasked.
 */
export function renderServer(io: IO, server: ServerConfig, options: { json: boolean; auth?: AuthView; readOnlyUnasked?: boolean }): void {
  const view = describeServer(server, options.auth);
  if (options.readOnlyUnasked) view.auto_approve_read_only = true;
  if (options.json) return printJson(io, view);
  printDetails(io, view.name, detailFields(view, server.autoApproveReadOnly === undefined));
}

function readOnlyField(view: ServerView, inherited: boolean): string | undefined {
  if (view.auto_approve_read_only === undefined) return undefined;
  if (!view.auto_approve_read_only) return "false";
  return `true${inherited ? " (from the top level)" : ""}: exec runs the tools this server marks read-only without asking; the server decides which they are`;
}

/** `readOnlyInherited`: auto_approve_read_only comes from the top level, not the server's table. */
function detailFields(view: ServerView, readOnlyInherited: boolean): [string, string | undefined][] {
  return [
    ["transport", view.transport],
    ["command", view.command],
    ["args", view.args?.length ? view.args.map((a) => JSON.stringify(a)).join(" ") : undefined],
    ["env", pairs(view.env)],
    ["env_vars", view.env_vars?.length ? view.env_vars.join(", ") : undefined],
    ["cwd", view.cwd],
    ["url", view.url],
    ["bearer_token_env_var", view.bearer_token_env_var],
    ["http_headers", pairs(view.http_headers, ": ")],
    ["env_http_headers", pairs(view.env_http_headers, " <- $")],
    ["oauth_client_id", view.oauth_client_id],
    ["oauth_scopes", view.oauth_scopes?.join(", ")],
    ["oauth_dpop", view.oauth_dpop === undefined ? undefined : String(view.oauth_dpop)],
    ["oauth_idp_issuer", view.oauth_idp_issuer],
    ["oauth_idp_client_id", view.oauth_idp_client_id],
    ["oauth_id_token_env_var", view.oauth_id_token_env_var],
    ["enabled", String(view.enabled)],
    ["required", view.required ? "true" : undefined],
    ["startup_timeout_sec", String(view.startup_timeout_sec)],
    ["tool_timeout_sec", String(view.tool_timeout_sec)],
    ["tool_max_total_timeout_sec", String(view.tool_max_total_timeout_sec)],
    ["protocol", view.protocol],
    ["enabled_tools", view.enabled_tools?.join(", ")],
    ["disabled_tools", view.disabled_tools.length ? view.disabled_tools.join(", ") : undefined],
    ["approve_tools", view.approve_tools.length ? view.approve_tools.join(", ") : undefined],
    ["auto_approve_read_only", readOnlyField(view, readOnlyInherited)],
    // Keep-alive (issue 22)
    ["keep_alive", view.keep_alive ? "true" : undefined],
    ["auth", authLabel(view.auth)],
  ];
}

function pairs(map: Record<string, string> | undefined, separator = "="): string | undefined {
  if (!map || Object.keys(map).length === 0) return undefined;
  return Object.entries(map)
    .map(([key, value]) => `${key}${separator}${value}`)
    .join(", ");
}

export function renderAdded(io: IO, result: AddServerResult): void {
  const { server } = result;
  const verb = result.replaced ? "Replaced" : "Added";
  io.stdout.write(`${verb} ${server.transport} server "${server.name}": ${serverTarget(server)}\n`);
  const view = describeServer(server);
  const extras = [
    pairs(view.env) && `env ${pairs(view.env)}`,
    view.cwd && `cwd ${view.cwd}`,
    view.bearer_token_env_var && `bearer token from $${view.bearer_token_env_var}`,
    pairs(view.http_headers, ": ") && `headers ${pairs(view.http_headers, ": ")}`,
  ].filter(Boolean);
  if (extras.length > 0) io.stdout.write(`  ${extras.join("; ")}\n`);
  note(io, `Saved to ${result.path}`);
}

export function statusLabel(result: ProbeResult, secrets: readonly string[] = []): string {
  if (result.status === "error") return `error: ${redactKnownSecrets(result.error.message, secrets)}`;
  return result.status;
}

function probeLatency(result: ProbeResult): number | undefined {
  if (result.status === "ok") return Math.round(result.connection.latencyMs);
  if (result.status === "error") return Math.round(result.latencyMs);
  return undefined;
}

/** `secrets`: known secret values, replaced in the error text (a server may echo a header back). */
export function statusJson(result: ProbeResult, secrets: readonly string[] = []): Record<string, unknown> {
  return {
    state: result.status,
    tools: result.status === "ok" ? result.connection.tools.length : undefined,
    protocol_version: result.status === "ok" ? result.connection.protocolVersion : undefined,
    latency_ms: probeLatency(result),
    error: result.status === "error" ? redactKnownSecrets(result.error.message, secrets) : undefined,
  };
}

type StatusRow = ProbeResult & { auth?: AuthView; secrets?: readonly string[] };

const STATUS_COLUMNS: Column<StatusRow>[] = [
  ...(LIST_COLUMNS as Column<StatusRow>[]),
  {
    header: "STATUS",
    value: (r) => statusLabel(r, r.secrets),
    style: (_, r) => (r.status === "ok" ? "green" : r.status === "error" ? "red" : "dim"),
  },
  { header: "TOOLS", value: (r) => (r.status === "ok" ? String(r.connection.tools.length) : "-") },
  { header: "LATENCY", value: (r) => (probeLatency(r) !== undefined ? `${probeLatency(r)}ms` : "-") },
];

export function renderServerStatus(
  io: IO,
  probed: ProbeResult[],
  options: { json: boolean; auth?: AuthView[]; secrets?: readonly string[] },
): void {
  const results: StatusRow[] = probed.map((result, i) => ({ ...result, auth: options.auth?.[i], secrets: options.secrets }));
  if (options.json) {
    return printJson(io, { servers: results.map((r) => ({ ...listItemJson(r), status: statusJson(r, options.secrets) })) });
  }
  if (results.length === 0) return printNoServers(io);
  printTable(io, STATUS_COLUMNS, results);
}
