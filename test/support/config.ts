// Builds config.toml text for tests, so each test states only the servers it needs.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "smol-toml";
import { stdioFixtureCommand } from "./fixture.ts";

export type ServerEntry = Record<string, unknown>;

/** A stdio entry that runs the fixture server with extra flags. */
export function stdioFixture(args: string[] = [], extra: ServerEntry = {}): ServerEntry {
  const { command, args: fixtureArgs } = stdioFixtureCommand(args);
  // Test files run in parallel on two cores: a fixture may take longer than the default 10 s to
  // start. Tests about the start-up deadline set their own.
  return { command, args: fixtureArgs, startup_timeout_sec: 60, ...extra };
}

export function writeConfig(path: string, config: { servers?: Record<string, ServerEntry>; top?: Record<string, unknown> }): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, stringify({ ...config.top, mcp_servers: config.servers ?? {} }));
}
