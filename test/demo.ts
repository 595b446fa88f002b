// The main job: build tether (if needed) and drive local MCP servers with the compiled binary,
// in a throwaway TETHER_HOME. No network beyond 127.0.0.1, no keys. Run: npm run demo
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ensureHostBinary } from "./support/binary.ts";
import { FIXTURE_SERVER_PATH, startHttpFixture, BUN_PATH } from "./support/fixture.ts";
import { sseStep, startMockResponses } from "./support/mock-responses.ts";
import { completed, functionCall, outputTextDelta, responseCreated, sse, textTurn } from "./support/sse.ts";

const ROOT = join(import.meta.dir, "..");
const home = mkdtempSync(join(tmpdir(), "tether-demo-"));
const DEMO_TOKEN = "demo-token-not-a-secret";

function heading(text: string): void {
  process.stdout.write(`\n\u001b[1m# ${text}\u001b[0m\n`);
}

/** A local stand-in for a Responses API: the model asks for `add`, then answers with its result. */
function scriptedModel() {
  return startMockResponses([
    sseStep(sse([responseCreated("resp_1"), outputTextDelta("Let me add those. "), functionCall("call_1", "mcp__local__add", { a: 19, b: 23 }), completed("resp_1")])),
    sseStep(sse(textTurn("resp_2", ["19 + 23 = ", "42, computed by the local MCP server's add tool."]))),
  ]);
}

async function tether(binary: string, args: string[], expectCode = 0): Promise<void> {
  const shown = args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
  process.stdout.write(`\u001b[36m$ tether ${shown.replaceAll(home, "$TETHER_HOME").replaceAll(ROOT + "/", "")}\u001b[0m\n`);
  const child = Bun.spawn([binary, ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TETHER_HOME: join(home, ".tether"), DEMO_TOKEN, DEMO_MODEL_KEY: "demo-key" },
    stdout: "inherit",
    stderr: "inherit",
    stdin: "ignore",
  });
  const code = await child.exited;
  if (code !== expectCode) throw new Error(`tether ${args.join(" ")} exited ${code} (expected ${expectCode})`);
}

const models: ReturnType<typeof startMockResponses>[] = [];

/** Points exec at the local model: appended to the config the demo built, as a user would. */
async function writeModelConfig(baseUrl: string): Promise<void> {
  const path = join(home, ".tether", "config.toml");
  const text = await Bun.file(path).text();
  const model = `model = "demo-model"\nmodel_provider = "local"\n\n[model_providers.local]\nbase_url = "${baseUrl}"\nenv_key = "DEMO_MODEL_KEY"\n\n`;
  await Bun.write(path, model + text);
  process.stdout.write(`(config.toml now starts with model = "demo-model" and [model_providers.local] base_url = "${baseUrl}")\n`);
}

async function main(): Promise<void> {
  heading("Building the tether executable (reused when up to date)");
  const binary = await ensureHostBinary();
  process.stdout.write(`${relative(ROOT, binary)}\n`);

  heading("Starting a local streamable HTTP MCP server that requires a bearer token");
  // A 2026-07-28 server (it answers 2025 clients too); the stdio one speaks only 2025: one config, both eras.
  const web = await startHttpFixture(["--token", DEMO_TOKEN, "--name", "web-fixture", "--era", "dual"]);
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

    heading("An agent run: a scripted local model calls the add tool (--yes approves it)");
    const model = scriptedModel();
    models.push(model);
    await writeModelConfig(model.url);
    await tether(binary, ["exec", "--yes", "What is 19 + 23? Use the add tool."]);
  } finally {
    for (const model of models) model.stop();
    await web.stop();
    rmSync(home, { recursive: true, force: true });
  }
  process.stdout.write("\nDemo finished.\n");
}

await main();
