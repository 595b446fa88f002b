// Several clients of one `tether mcp serve --http` at once, in front of a 2025 server on stdio
// (whose questions name no call): the clients and upstream the isolation tests share.
import { afterEach } from "bun:test";
import type { CallToolResult, Client, ClientCapabilities } from "@modelcontextprotocol/client";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { connectHttp, type Era, newClient, servePerTest } from "./harness.ts";
import { eventually } from "../support/wait.ts";

/** What the test clients declare: form elicitation and roots. */
export const CAPABILITIES: ClientCapabilities = { elicitation: { form: {} }, roots: { listChanged: true } };

export const textOf = (result: { content?: unknown }) => (result.content as { text?: string }[])[0]?.text;

/** Per test: a home, the serves and clients it starts (closed after it), and the upstream `old`. */
export function isolationPerTest() {
  const serve = servePerTest();
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
  });
  return {
    serve,
    clients,
    /** The upstream `old`: a 2025 fixture on stdio with `ask`, `roots`, `wait` and `cancelled` (plus `flags`). */
    upstream(flags: string[] = ["--features"]): void {
      writeConfig(serve.home.configPath, { servers: { old: stdioFixture(["--era", "legacy", ...flags, "--cancellable", "--tools", "echo"]) } });
    },
    /** A client that answers questions as `name` with the root file:///secret-of-NAME, and notes each one. */
    async connectAs(url: string, era: Era, name: string): Promise<{ client: Client; asked: string[] }> {
      const client = newClient(era, name, CAPABILITIES);
      const asked: string[] = [];
      client.setRequestHandler("elicitation/create", async (request) => {
        asked.push(`elicit: ${request.params.message}`);
        return { action: "accept", content: { name, count: 1 } };
      });
      client.setRequestHandler("roots/list", async () => {
        asked.push("roots");
        return { roots: [{ uri: `file:///secret-of-${name}` }] };
      });
      clients.push(client);
      await connectHttp(url, era, {}, client);
      return { client, asked };
    },
  };
}

/** A `wait` call, and a promise that resolves once the upstream runs it (its first progress). */
export function openCall(client: Client, tag: string, ms: number, signal?: AbortSignal): { running: Promise<void>; result: Promise<CallToolResult> } {
  let running!: () => void;
  const started = new Promise<void>((resolve) => (running = resolve));
  const result = client.callTool({ name: "old__wait", arguments: { tag, ms } }, { onprogress: () => running(), signal, timeout: 120_000 }) as Promise<CallToolResult>;
  result.catch(() => {});
  return { running: Promise.race([started, result.then(() => {})]), result };
}

/** The tags of the `wait` calls the upstream saw cancelled, once `tag` is among them (bounded). */
export async function cancelledOnceIncludes(client: Client, tag: string): Promise<string[]> {
  let tags: string[] = [];
  const cancelled = async () => (tags = JSON.parse(textOf(await client.callTool({ name: "old__cancelled", arguments: {} }))!) as string[]).includes(tag);
  await eventually(cancelled, { intervalMs: 100 });
  return tags;
}
