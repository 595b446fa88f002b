// The bare v2 SDK client that bench/mcp.ts compares tether with, compiled the same way. It is told
// each server's era (the verdict file written by its first run), as tether is after its first run.
//   baseline-client call URL|stdio:CMD... VERDICTS   one call of `echo`, after listing the tools
//   baseline-client call-only VERDICTS URL           one call of `echo`, without listing (the least a client can do)
//   baseline-client list VERDICTS URL...            connect to all in parallel, list tools
import { readFileSync, writeFileSync } from "node:fs";
import { Client, type PriorDiscovery, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

const [mode, verdictsPath, ...targets] = process.argv.slice(2);
let verdicts: Record<string, PriorDiscovery> = {};
try {
  verdicts = JSON.parse(readFileSync(verdictsPath!, "utf8"));
} catch {}

async function open(target: string): Promise<Client> {
  const client = new Client({ name: "bench", version: "1" }, { versionNegotiation: { mode: "auto" } });
  const transport = target.startsWith("stdio:")
    ? new StdioClientTransport({ command: target.slice(6).split(" ")[0]!, args: target.slice(6).split(" ").slice(1) })
    : new StreamableHTTPClientTransport(new URL(target));
  await client.connect(transport, { prior: verdicts[target] });
  const discover = client.getDiscoverResult();
  verdicts[target] = discover ? { kind: "modern", discover } : { kind: "legacy" };
  return client;
}

if (mode === "call" || mode === "call-only") {
  const client = await open(targets[0]!);
  if (mode === "call") await client.listTools();
  const result = await client.callTool({ name: "echo", arguments: { text: "hi" } });
  console.log((result.content[0] as { text: string }).text);
  await client.close();
} else {
  const clients = await Promise.all(targets.map(async (t) => {
    const c = await open(t);
    await c.listTools();
    return c;
  }));
  console.log(clients.length);
  await Promise.all(clients.map((c) => c.close()));
}
writeFileSync(verdictsPath!, JSON.stringify(verdicts));
process.exit(0);
