// The main job: build tether (if needed) and drive local MCP servers with the compiled binary,
// in a throwaway TETHER_HOME. No network beyond 127.0.0.1, no keys. Run: npm run demo
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ensureHostBinary } from "../test/support/binary.ts";
import { FIXTURE_SERVER_PATH, startHttpFixture, BUN_PATH } from "../test/support/fixture.ts";

const ROOT = join(import.meta.dir, "..");
const home = mkdtempSync(join(tmpdir(), "tether-demo-"));
const DEMO_TOKEN = "demo-token-not-a-secret";

function heading(text: string): void {
  process.stdout.write(`\n\u001b[1m# ${text}\u001b[0m\n`);
}

async function tether(binary: string, args: string[], expectCode = 0): Promise<void> {
  const shown = args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
  process.stdout.write(`\u001b[36m$ tether ${shown.replaceAll(home, "$TETHER_HOME").replaceAll(ROOT + "/", "")}\u001b[0m\n`);
  const child = Bun.spawn([binary, ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TETHER_HOME: join(home, ".tether"), DEMO_TOKEN },
    stdout: "inherit",
    stderr: "inherit",
    stdin: "ignore",
  });
  const code = await child.exited;
  if (code !== expectCode) throw new Error(`tether ${args.join(" ")} exited ${code} (expected ${expectCode})`);
}

async function main(): Promise<void> {
  heading("Building the tether executable (reused when up to date)");
  const binary = await ensureHostBinary();
  process.stdout.write(`${relative(ROOT, binary)}\n`);

  heading("Starting a local streamable HTTP MCP server that requires a bearer token");
  const web = await startHttpFixture(["--token", DEMO_TOKEN, "--name", "web-fixture"]);
  process.stdout.write(`${web.url}\n`);
  try {
    heading("Adding servers to a throwaway config");
    await tether(binary, ["mcp", "add", "local", "--env", "LOG_LEVEL=debug", "--", BUN_PATH, FIXTURE_SERVER_PATH, "--stdio"]);
    await tether(binary, ["mcp", "add", "web", "--url", web.url, "--bearer-token-env-var", "DEMO_TOKEN"]);

    heading("Listing them, connecting to each in parallel");
    await tether(binary, ["mcp", "list", "--status"]);

    heading("What the stdio server offers");
    await tether(binary, ["mcp", "tools", "local"]);

    heading("Calling tools (arguments are coerced by each tool's schema)");
    await tether(binary, ["mcp", "call", "local", "add", "--arg", "a=2", "--arg", "b=40"]);
    await tether(binary, ["mcp", "call", "web", "echo", "--arg", "text=hello over streamable HTTP"]);

    heading("A tool that reports an error exits 1");
    await tether(binary, ["mcp", "call", "local", "fail", "--arg", "message=disk full"], 1);

    heading("Health report");
    await tether(binary, ["mcp", "doctor"]);
  } finally {
    await web.stop();
    rmSync(home, { recursive: true, force: true });
  }
  process.stdout.write("\nDemo finished.\n");
}

await main();
