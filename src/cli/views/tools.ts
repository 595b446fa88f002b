// How tool lists and tool results look.
import type { CallToolResult, Tool } from "@modelcontextprotocol/client";
import type { IO } from "../../context.ts";
import type { CallOutputs } from "../../mcp/call-outputs.ts";
import type { CallProgress } from "../../mcp/connect.ts";
import type { ToolCallOutcome } from "../../mcp/stale-schema.ts";
import { summarizeParameters } from "../../mcp/coerce.ts";
import { terminalBlock, terminalLine, terminalText } from "../../text/sanitize.ts";
import { firstLine, note, printJson, printTable } from "../render.ts";

function requiredParameters(tool: Tool): string[] {
  return summarizeParameters(tool.inputSchema)
    .filter((p) => p.required)
    .map((p) => `${p.name}: ${p.type}`);
}

export function renderTools(io: IO, server: string, tools: Tool[], options: { json: boolean }): void {
  if (options.json) {
    return printJson(io, {
      server,
      tools: tools.map((tool) => ({
        name: tool.name,
        description: tool.description ?? "",
        parameters: summarizeParameters(tool.inputSchema),
        input_schema: tool.inputSchema,
      })),
    });
  }
  if (tools.length === 0) return note(io, `Server "${server}" offers no tools.`);
  printTable(
    io,
    [
      { header: "TOOL", value: (t: Tool) => t.name, style: () => "bold" },
      { header: "DESCRIPTION", value: (t: Tool) => firstLine(t.description, io.stdoutIsTTY ? 70 : Infinity) },
      { header: "REQUIRED", value: (t: Tool) => requiredParameters(t).join(", ") || "-" },
    ],
    tools,
  );
}

/**
 * Text content to stdout; a note on stderr about what else came back. Files written by
 * --save-images and --out are named on stderr, so stdout stays the result alone (with --out, nothing).
 */
export function renderToolResult(io: IO, outcome: ToolCallOutcome, options: { json: boolean; outputs?: CallOutputs }): void {
  const { result } = outcome;
  const outputs = options.outputs;
  for (const saved of outputs?.media ?? []) note(io, `saved ${saved.type} (${terminalText(saved.mimeType || "no type")}, ${saved.bytes} bytes) to ${terminalText(saved.path)}`);
  if (outputs?.dir !== undefined && outputs.media.length === 0) note(io, `(no image or audio in the result; nothing saved to ${terminalText(outputs.dir)})`);
  if (outputs?.skipped) note(io, `skipped ${outputs.skipped} more image/audio blocks (--save-images writes at most ${outputs.media.length} per call)`);
  if (outputs?.out) return note(io, `wrote the result (${outputs.out.bytes} bytes of JSON) to ${terminalText(outputs.out.path)}`);
  if (options.json) return printJson(io, result);
  const content = (result.content ?? []) as CallToolResult["content"];
  for (const item of content) {
    if (item.type !== "text") continue;
    const text = terminalBlock(item.text);
    io.stdout.write(text.endsWith("\n") ? text : text + "\n");
  }
  // Saved (or skipped) media were named above.
  const others = countOthers(outputs ? content.filter((item) => item.type !== "image" && item.type !== "audio") : content);
  if (others) note(io, `(also returned ${others}; use --json to see everything)`);
  if (content.length === 0 && result.structuredContent !== undefined) printJson(io, result.structuredContent);
}

function countOthers(content: CallToolResult["content"]): string | undefined {
  const counts = new Map<string, number>();
  for (const item of content) if (item.type !== "text") counts.set(item.type, (counts.get(item.type) ?? 0) + 1);
  if (counts.size === 0) return undefined;
  return [...counts].map(([type, n]) => `${n} ${type}${n > 1 ? " items" : ""}`).join(", ");
}

/**
 * Progress of a running call: on a terminal it becomes the spinner's text; piped, only a task's
 * status changes are written (as lines), so logs stay short.
 */
export function renderCallProgress(io: IO, tool: string, update: CallProgress, status: (text: string) => void): void {
  const message = update.message ? ` ${terminalLine(update.message, 200)}` : "";
  if (update.kind === "task") {
    const line = `task ${terminalLine(update.taskId, 200)}: ${terminalLine(update.status, 200)}${message}`;
    if (io.stderrIsTTY) status(`${tool}: ${line}`);
    else io.stderr.write(`${line}\n`);
    return;
  }
  status(`${tool}: ${progressText(update)}`);
}

/** `40% step 2`: a percentage when the total is known, else the raw count; the message made safe. */
export function progressText(update: { progress: number; total?: number; message?: string }): string {
  const share = update.total ? `${Math.round((update.progress / update.total) * 100)}%` : String(update.progress);
  return `${share}${update.message ? ` ${terminalLine(update.message, 200)}` : ""}`;
}
