// `--exec-tools`: the tools exec's approvals and refresh are tested with, on either SDK's McpServer:
// annotated tools (`peek` read-only, `wipe` destructive, `browse` open-world) and `add_tool`, which
// adds a tool (`added_N`) at run time, so the server sends tools/list_changed. Behind a flag so the
// tool lists other tests assert stay as they are.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { McpServer as ModernMcpServer } from "@modelcontextprotocol/server";
import * as z from "zod";
import { text } from "./fixture-results.ts";

export function registerExecTools(server: McpServer | ModernMcpServer): void {
  // Not v2's instanceof: a legacy fixture does not load the v2 SDK (./fixture-tools-modern.ts).
  const modern = !(server instanceof McpServer);
  // biome-ignore lint: the two SDKs' registerTool share a shape but not their types
  const any = server as any;
  const noArgs = modern ? z.object({}) : {};
  const register = (name: string, description: string, annotations: Record<string, boolean>, answer: () => Promise<ReturnType<typeof text>>) =>
    any.registerTool(name, { description, inputSchema: noArgs, annotations }, answer);
  register("peek", "Look at the fixture's state (read-only).", { readOnlyHint: true, openWorldHint: false }, async () => text("all quiet"));
  register("wipe", "Delete everything (destructive).", { readOnlyHint: false, destructiveHint: true }, async () => text("wiped"));
  register("browse", "Fetch a page from the internet (open world).", { readOnlyHint: false, destructiveHint: false, openWorldHint: true }, async () =>
    text("a page"),
  );
  let added = 0;
  register("add_tool", "Add a tool named added_N; the server says its tool list changed.", {}, async () => {
    added++;
    const n = added;
    any.registerTool(`added_${n}`, { description: `Added tool ${n}.`, inputSchema: noArgs }, async () => text(`added ${n} ran`));
    // The SDK sends tools/list_changed as the tool is registered; a moment's wait lets it reach the
    // client before the result does, as it would from a server that does real work after.
    await Bun.sleep(50);
    return text(`added_${n}`);
  });
}
