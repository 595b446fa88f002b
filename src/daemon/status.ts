// The shapes the daemon answers with: its status (`tether mcp daemon status`) and an opened server.
import type { ServerCapabilities, Tool } from "@modelcontextprotocol/client";
import type { ServerState } from "./pool.ts";

export interface DaemonStatus {
  pid: number;
  version: string;
  protocol: number;
  socket: string;
  config: string;
  startedAt: number;
  idleSec: number;
  lastActivityAt: number;
  /** Commands connected now. */
  clients: number;
  servers: ServerState[];
}

export interface OpenedServer {
  via: "stdio" | "http" | "sse";
  serverInfo?: { name: string; version: string };
  protocolVersion?: string;
  era?: "modern" | "legacy";
  tools: Tool[];
  latencyMs: number;
  pid?: number;
  capabilities?: ServerCapabilities;
  stderrTail: string[];
  /** Set when this open started the server again: it had died, or its config or environment changed. */
  restarted?: "crashed" | "config";
}
