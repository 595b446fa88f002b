// Argument values from files and stdin: `--arg k=@PATH`, `--arg k=@-`, `--args-json @PATH` and
// `--args-json -`. Read before any server starts, so a missing file is a usage error (exit 2)
// rather than a started server and a tool called with the literal text `@PATH`. The text then goes
// through the same schema coercion as a typed value (./coerce.ts); `@@…` is the escape for a value
// that really starts with `@`.
//
// Files are read whole but bounded (MAX_ARGUMENT_BYTES, one byte past it is an error). Unlike
// config files (files/bounded-read.ts), a pipe is welcome here: `--arg k=@<(git diff)` hands tether
// /dev/fd/63, and the user asked for exactly that read.
import { open } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import type { Context } from "../context.ts";
import { UsageError } from "../errors.ts";
import { type ArgumentPair, parseArgPairs } from "./coerce.ts";

/** The most bytes one argument may take from a file or stdin (16 MiB, the HTTP message limit too). */
const MAX_ARGUMENT_BYTES = 16 * 1024 * 1024;

export interface ArgumentSources {
  /** `--arg k=v` values as typed, in order. */
  args: readonly string[];
  /** `--args-json` as typed: JSON, `@PATH`, or `-` for stdin. */
  argsJson?: string;
}

export interface ArgumentInput {
  /** [key, text, where the text came from (a file or "stdin"), if not the command line]. */
  pairs: ArgumentPair[];
  argsJson?: { text: string; from?: string };
}

/** Where one value's text is: typed, in a file, or on stdin. */
type Source = { kind: "text"; text: string } | { kind: "file"; path: string } | { kind: "stdin" };

export interface ArgumentReadOptions {
  maxBytes?: number;
}

/** Resolves every `@PATH` / `@-` / `-` to its text; at most one of them may read stdin. */
export async function readArgumentInput(
  ctx: Pick<Context, "cwd" | "io" | "paths">,
  sources: ArgumentSources,
  options: ArgumentReadOptions = {},
): Promise<ArgumentInput> {
  const maxBytes = options.maxBytes ?? MAX_ARGUMENT_BYTES;
  const typed = parseArgPairs(sources.args).map(([key, value]) => ({ key, value, source: argSource(key, value) }));
  const json = sources.argsJson === undefined ? undefined : { value: sources.argsJson, source: argsJsonSource(sources.argsJson) };
  checkOneStdinReader([
    ...typed.filter((t) => t.source.kind === "stdin").map((t) => `--arg ${t.key}=@-`),
    ...(json?.source.kind === "stdin" ? [`--args-json ${json.value}`] : []),
  ]);
  const pairs: ArgumentPair[] = [];
  for (const { key, value, source } of typed) {
    if (source.kind === "text") pairs.push([key, source.text]);
    // Before @-files, `k=@acme/pkg` sent the text: a missing file says how to send it now.
    else pairs.push([key, await readSource(ctx, `--arg ${key}=${value}`, source, maxBytes, `write @${value} for a value that starts with @`), fromLabel(source)]);
  }
  if (!json) return { pairs };
  const text = await readSource(ctx, `--args-json ${json.value}`, json.source, maxBytes);
  return { pairs, argsJson: json.source.kind === "text" ? { text } : { text, from: fromLabel(json.source) } };
}

/** `@@x` → the text `@x`; `@-` → stdin; `@PATH` → the file; anything else is the text itself. */
function argSource(key: string, value: string): Source {
  if (!value.startsWith("@")) return { kind: "text", text: value };
  if (value.startsWith("@@")) return { kind: "text", text: value.slice(1) };
  if (value === "@-") return { kind: "stdin" };
  if (value === "@") {
    throw new UsageError(`--arg ${key}=@: no file after "@"`, { hint: `--arg ${key}=@PATH reads a file, ${key}=@- stdin; write @@ for the text "@"` });
  }
  return { kind: "file", path: value.slice(1) };
}

/** `-` or `@-` → stdin, `@PATH` → the file; otherwise JSON typed on the command line. */
function argsJsonSource(value: string): Source {
  if (value === "-" || value === "@-") return { kind: "stdin" };
  if (value.startsWith("@@")) return { kind: "text", text: value.slice(1) };
  if (value.startsWith("@") && value.length > 1) return { kind: "file", path: value.slice(1) };
  return { kind: "text", text: value };
}

function checkOneStdinReader(readers: string[]): void {
  if (readers.length <= 1) return;
  throw new UsageError(`only one argument can read stdin, got ${readers.join(" and ")}`, { hint: "put the others in files: --arg k=@PATH" });
}

function fromLabel(source: Source): string {
  return source.kind === "file" ? source.path : "stdin";
}

async function readSource(
  ctx: Pick<Context, "cwd" | "io" | "paths">,
  flag: string,
  source: Source,
  maxBytes: number,
  missingHint?: string,
): Promise<string> {
  if (source.kind === "text") return source.text;
  const bytes = source.kind === "stdin" ? await readStdin(ctx, flag, maxBytes) : await readFile(ctx, flag, source.path, maxBytes, missingHint);
  return decodeText(flag, source.kind === "stdin" ? "stdin" : `file ${source.path}`, bytes);
}

/**
 * `~` and `~/…` are the user's home: a shell does not expand `~` after `@` (`k=@~/notes.md`).
 * Anything else is relative to the directory tether was started in, as shell arguments are.
 */
export function resolveArgumentPath(path: string, cwd: string, home: string): string {
  if (path === "~" || path.startsWith("~/")) return resolve(home, path.slice(2));
  return isAbsolute(path) ? path : resolve(cwd, path);
}

async function readFile(ctx: Pick<Context, "cwd" | "paths">, flag: string, path: string, maxBytes: number, missingHint?: string): Promise<Buffer> {
  const full = resolveArgumentPath(path, ctx.cwd, ctx.paths.userHome);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(full, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new UsageError(`${flag}: no file ${path}${full === path ? "" : ` (${full})`}`, { hint: missingHint });
    }
    throw new UsageError(`${flag}: cannot read ${path} (${code ?? String(error)})`);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new UsageError(`${flag}: ${path} is a directory`);
    const tooBig = () => new UsageError(`${flag}: ${path} is larger than ${describeBytes(maxBytes)} (the argument size limit)`);
    if (stat.isFile() && stat.size > maxBytes) throw tooBig();
    // One byte past the cap: a file that grew since fstat, or a pipe, is caught too.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const buffer = Buffer.alloc(Math.min(1024 * 1024, maxBytes + 1 - length));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      length += bytesRead;
      if (length > maxBytes) throw tooBig();
    }
    return Buffer.concat(chunks, length);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    await handle.close();
  }
}

async function readStdin(ctx: Pick<Context, "io">, flag: string, maxBytes: number): Promise<Buffer> {
  const stdin = ctx.io.stdin;
  if (!stdin) throw new UsageError(`${flag}: there is no stdin to read`);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stdin) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk as Uint8Array);
    chunks.push(bytes);
    length += bytes.length;
    // Leaving the loop ends the stream: nothing past the cap is read.
    if (length > maxBytes) throw new UsageError(`${flag}: stdin is larger than ${describeBytes(maxBytes)} (the argument size limit)`);
  }
  return Buffer.concat(chunks, length);
}

/**
 * Text only: NUL bytes or invalid UTF-8 mean a binary file, which no argument takes as such
 * (a tool that wants bytes wants them base64-encoded). A UTF-8 byte order mark is dropped.
 */
function decodeText(flag: string, what: string, bytes: Buffer): string {
  let text: string | undefined;
  if (!bytes.includes(0)) {
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      text = undefined;
    }
  }
  if (text === undefined) {
    throw new UsageError(`${flag}: ${what} is binary (not UTF-8 text); arguments take text`, {
      hint: "a tool that takes binary data wants it base64-encoded: base64 FILE > FILE.b64, then @FILE.b64",
    });
  }
  return text;
}

function describeBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}
