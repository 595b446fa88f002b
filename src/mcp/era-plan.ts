// How one connection settles its protocol era (issue 21 item 7): probe it (`protocol = "auto"`),
// or take the era the config pins; and how long the probe and the server's own start may take.
import type { PriorDiscovery, VersionNegotiationOptions } from "@modelcontextprotocol/client";
import type { ServerConfig } from "../config/types.ts";
import { ConnectionError } from "../errors.ts";

/**
 * - `legacy`: 2025 `initialize` only (`protocol = "2025-11-25"`, or serve's 2025 connection).
 * - `modern`: 2026-07-28 only (`protocol = "2026-07-28"`): its `server/discover` is the handshake,
 *   sent on the server's own connection, with no fallback and no sibling process.
 * - `probe`: `server/discover` first, else `initialize`; on stdio the SDK probes on a short-lived
 *   sibling process, so a legacy server that exits on the unknown request still gets a fresh start.
 * `prior` is the remembered verdict that skips the round trip, where the plan may use one; the
 * verdict of a `modern` or `probe` connection is remembered, a `legacy` one's never.
 */
export type EraPlan =
  | { kind: "legacy" }
  | { kind: "modern"; prior?: PriorDiscovery }
  | { kind: "probe"; prior?: PriorDiscovery };

/** The plan for `server`; `legacyOnly` is serve's 2025 connection, `prior` the remembered verdict. */
export function planEra(server: ServerConfig, legacyOnly: boolean, loadPrior: () => PriorDiscovery | undefined): EraPlan {
  const protocol = server.protocol ?? "auto";
  if (legacyOnly && protocol === "2026-07-28") {
    // serve then relays its 2025 clients through the 2026-07-28 connection, as for a strict server.
    throw new ConnectionError(`server "${server.name}" is pinned to protocol 2026-07-28; no 2025 connection is opened`);
  }
  if (legacyOnly || protocol === "2025-11-25") return { kind: "legacy" };
  if (protocol === "2026-07-28") {
    const prior = loadPrior();
    // A remembered legacy verdict means nothing to a pinned server; a modern one saves the handshake.
    return { kind: "modern", prior: prior?.kind === "modern" ? prior : undefined };
  }
  return { kind: "probe", prior: loadPrior() };
}

/** The plan without its remembered verdict: what a retry after a stale verdict runs. */
export function withoutPrior(plan: EraPlan): EraPlan {
  return plan.kind === "legacy" ? plan : { ...plan, prior: undefined };
}

export function priorOf(plan: EraPlan): PriorDiscovery | undefined {
  return plan.kind === "legacy" ? undefined : plan.prior;
}

/**
 * Whether the SDK will probe a stdio server on a sibling process: the probe's start and the
 * server's own start are then two starts, each bounded by startup_timeout_sec.
 */
export function probesOnSibling(server: ServerConfig, plan: EraPlan): boolean {
  return server.transport === "stdio" && plan.kind === "probe" && plan.prior === undefined;
}

/**
 * The SDK's negotiation options. The probe's timeout is the start-up budget it runs within (the
 * whole startup_timeout_sec on a first attempt): on stdio a probe timeout is read as "legacy", so a
 * short one would misjudge a slow modern server (copilot-cli #4525 probed for ~0.6 s).
 */
export function versionNegotiation(plan: EraPlan, probeTimeoutMs: number): VersionNegotiationOptions {
  if (plan.kind === "legacy") return { mode: "legacy" };
  return { mode: plan.kind === "modern" ? { pin: "2026-07-28" } : "auto", probe: { timeoutMs: probeTimeoutMs } };
}

/** A pinned server that does not speak the pinned era: say so, and how to let tether probe. */
export function pinnedEraMismatch(server: ServerConfig, detail: string): ConnectionError {
  return new ConnectionError(`server "${server.name}" does not speak protocol ${server.protocol}, which config.toml pins for it (${detail})`, {
    hint: `set protocol = "auto" for "${server.name}" in config.toml to let tether probe its era`,
  });
}
