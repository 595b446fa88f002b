// Where `mcp call` puts a result besides the terminal: `--save-images DIR` writes each image and
// audio block to a file named by tether, `--out FILE` the whole CallToolResult as `--json` prints it.
// A server names nothing on disk: file names come from the tool name the user typed, a counter and
// an extension from a fixed table of MIME types. What is written is bounded by what a result may
// hold (the transports' message limits) and by MAX_SAVED_MEDIA files per call.
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/client";
import type { Context } from "../context.ts";
import { TetherError, UsageError } from "../errors.ts";
import { writeFileAtomic } from "../files/atomic.ts";

/** The most files one call writes with --save-images; a result with more has the rest skipped. */
const MAX_SAVED_MEDIA = 256;

/** The file extension for each MIME type tether saves; anything else is `.bin`. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/jpg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/svg+xml": "svg",
  "image/bmp": "bmp",
  "image/tiff": "tiff",
  "image/avif": "avif",
  "image/heic": "heic",
  "image/x-icon": "ico",
  "image/vnd.microsoft.icon": "ico",
  "audio/wav": "wav",
  "audio/wave": "wav",
  "audio/x-wav": "wav",
  "audio/mpeg": "mp3",
  "audio/mp3": "mp3",
  "audio/ogg": "ogg",
  "audio/opus": "opus",
  "audio/webm": "webm",
  "audio/flac": "flac",
  "audio/x-flac": "flac",
  "audio/aac": "aac",
  "audio/mp4": "m4a",
  "audio/x-m4a": "m4a",
  "audio/midi": "mid",
};

export interface CallOutputOptions {
  /** --save-images DIR, as typed. */
  saveImages?: string;
  /** --out FILE, as typed. */
  out?: string;
}

export interface SavedMedia {
  /** DIR/NAME as the user typed DIR: what the notes show. */
  path: string;
  type: "image" | "audio";
  mimeType: string;
  bytes: number;
}

export interface CallOutputs {
  /** --save-images DIR as typed, when given. */
  dir?: string;
  media: SavedMedia[];
  /** Image and audio blocks past MAX_SAVED_MEDIA, not written. */
  skipped: number;
  out?: { path: string; bytes: number };
}

/**
 * Before the call (a tool may act on the world, so a bad flag must fail first): DIR is created
 * (with the user's umask: these are the user's files, as curl -o makes them), FILE is not a directory.
 */
export function prepareCallOutputs(ctx: Pick<Context, "cwd">, options: CallOutputOptions): void {
  if (options.saveImages !== undefined) {
    const dir = options.saveImages;
    if (dir === "") throw new UsageError("--save-images needs a directory");
    try {
      mkdirSync(resolve(ctx.cwd, dir), { recursive: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST" || code === "ENOTDIR") throw new UsageError(`--save-images ${dir}: not a directory`);
      throw new UsageError(`--save-images ${dir}: cannot create it (${code ?? String(error)})`);
    }
  }
  if (options.out !== undefined) {
    const out = options.out;
    if (out === "" || out === "-") throw new UsageError(`--out wants a file name, got ${JSON.stringify(out)}`, { hint: "to print the result as JSON, use --json" });
    if (isDirectory(resolve(ctx.cwd, out))) throw new UsageError(`--out ${out}: is a directory`, { hint: "name a file, e.g. --out result.json" });
  }
}

/** After the call: the media files, then the result file. */
export function writeCallOutputs(ctx: Pick<Context, "cwd">, options: CallOutputOptions, tool: string, result: CallToolResult): CallOutputs {
  const outputs: CallOutputs = { media: [], skipped: 0 };
  if (options.saveImages !== undefined) Object.assign(outputs, { dir: options.saveImages }, saveMedia(ctx, options.saveImages, tool, result));
  if (options.out !== undefined) {
    // Byte for byte what --json prints (cli/render.ts printJson).
    const text = `${JSON.stringify(result, null, 2)}\n`;
    try {
      // 0666 before the umask: an ordinary file of the user's, like mcp read --out writes.
      writeFileAtomic(resolve(ctx.cwd, options.out), text, 0o666);
    } catch (error) {
      throw new TetherError(`cannot write ${options.out} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    outputs.out = { path: options.out, bytes: Buffer.byteLength(text) };
  }
  return outputs;
}

type MediaBlock = { type: "image" | "audio"; data: string; mimeType: string };

function saveMedia(ctx: Pick<Context, "cwd">, dir: string, tool: string, result: CallToolResult): Pick<CallOutputs, "media" | "skipped"> {
  const blocks = ((result.content ?? []) as Array<{ type: string }>).filter(
    (block): block is MediaBlock => (block.type === "image" || block.type === "audio") && typeof (block as MediaBlock).data === "string",
  );
  const full = resolve(ctx.cwd, dir);
  const base = fileStem(tool);
  const media: SavedMedia[] = [];
  let n = nextNumber(full, base);
  for (const block of blocks.slice(0, MAX_SAVED_MEDIA)) {
    const mimeType = typeof block.mimeType === "string" ? block.mimeType : "";
    const ext = EXTENSIONS[mimeType.toLowerCase().split(";")[0]!.trim()] ?? "bin";
    const bytes = Buffer.from(block.data, "base64");
    for (;; n++) {
      const name = `${base}-${n}.${ext}`;
      if (!writeNew(join(full, name), bytes, join(dir, name))) continue;
      media.push({ path: join(dir, name), type: block.type, mimeType, bytes: bytes.length });
      n++;
      break;
    }
  }
  return { media, skipped: Math.max(0, blocks.length - MAX_SAVED_MEDIA) };
}

/**
 * One past the highest `<stem>-<n>.*` already in the directory, so a second call's files follow the
 * first's (media-4.png after media-3.bin) rather than filling gaps between extensions. A race with
 * another writer is still safe: each file is created with O_EXCL.
 */
function nextNumber(dir: string, stem: string): number {
  let highest = 0;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(`${stem}-`)) continue;
    const match = /^(\d{1,9})\./.exec(name.slice(stem.length + 1));
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest + 1;
}

/** The tool's name made safe as a file name: letters, digits, `.`, `_`, `-`; no leading dot. */
function fileStem(tool: string): string {
  const stem = tool.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "").slice(0, 64);
  return stem === "" ? "tool" : stem;
}

/** Creates `path` only if nothing is there (O_EXCL: never overwrites, even in a race); false when taken. */
function writeNew(path: string, bytes: Buffer, shown: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o666);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    throw new TetherError(`cannot write ${shown} (${code ?? String(error)})`);
  }
  try {
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
  } catch (error) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw new TetherError(`cannot write ${shown} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  closeSync(fd);
  return true;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
