// Reading argument values from files and stdin (src/mcp/argument-files.ts): escapes, paths, the
// size bound, binary files, pipes, and the one-stdin-reader rule, without any server.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { UsageError } from "../../src/errors.ts";
import { readArgumentInput, resolveArgumentPath } from "../../src/mcp/argument-files.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tether-argfiles-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ctx = (stdin?: string | Buffer) => ({
  cwd: dir,
  paths: { home: join(dir, ".tether"), config: join(dir, ".tether/config.toml"), userHome: join(dir, "home") },
  io: { stdin: stdin === undefined ? undefined : Readable.from([stdin]), stdout: { write() {} }, stderr: { write() {} }, stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, color: false },
});

async function failure(run: Promise<unknown>): Promise<UsageError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("expected a UsageError");
}

describe("readArgumentInput", () => {
  test("typed values and @@ escapes stay text; @PATH and @- are read and say where from", async () => {
    writeFileSync(join(dir, "a.txt"), "file text");
    const input = await readArgumentInput(ctx("stdin text"), { args: ["plain=x", "at=@@acme/pkg", "twice=@@@", "file=@a.txt", "in=@-", "mail=a@b"] });
    expect(input.pairs).toEqual([
      ["plain", "x"],
      ["at", "@acme/pkg"],
      ["twice", "@@"],
      ["file", "file text", "a.txt"],
      ["in", "stdin text", "stdin"],
      ["mail", "a@b"],
    ]);
  });

  test("--args-json: JSON as typed, @PATH, - and @- from stdin", async () => {
    writeFileSync(join(dir, "args.json"), '{"a":1}');
    expect((await readArgumentInput(ctx(), { args: [], argsJson: '{"b":2}' })).argsJson).toEqual({ text: '{"b":2}' });
    expect((await readArgumentInput(ctx(), { args: [], argsJson: "@args.json" })).argsJson).toEqual({ text: '{"a":1}', from: "args.json" });
    expect((await readArgumentInput(ctx("{}"), { args: [], argsJson: "-" })).argsJson).toEqual({ text: "{}", from: "stdin" });
    expect((await readArgumentInput(ctx("{}"), { args: [], argsJson: "@-" })).argsJson).toEqual({ text: "{}", from: "stdin" });
  });

  test("an absolute path, a relative one (to the current directory) and ~/ (the home directory)", async () => {
    expect(resolveArgumentPath("/etc/x", dir, "/home/u")).toBe("/etc/x");
    expect(resolveArgumentPath("sub/x", dir, "/home/u")).toBe(join(dir, "sub/x"));
    expect(resolveArgumentPath("~/x", dir, "/home/u")).toBe("/home/u/x");
    expect(resolveArgumentPath("~", dir, "/home/u")).toBe("/home/u");
    expect(resolveArgumentPath("~x", dir, "/home/u")).toBe(join(dir, "~x"));
  });

  test("a UTF-8 byte order mark is dropped; NUL bytes or invalid UTF-8 are binary", async () => {
    writeFileSync(join(dir, "bom.json"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]));
    expect((await readArgumentInput(ctx(), { args: ["a=@bom.json"] })).pairs).toEqual([["a", '{"a":1}', "bom.json"]]);
    writeFileSync(join(dir, "nul.txt"), "a\0b");
    expect((await failure(readArgumentInput(ctx(), { args: ["a=@nul.txt"] }))).message).toBe(
      "--arg a=@nul.txt: file nul.txt is binary (not UTF-8 text); arguments take text",
    );
    expect((await failure(readArgumentInput(ctx(Buffer.from([0xff, 0xfe])), { args: ["a=@-"] }))).message).toBe(
      "--arg a=@-: stdin is binary (not UTF-8 text); arguments take text",
    );
  });

  test("the size bound: one byte past it is an error naming the limit, for files and stdin", async () => {
    writeFileSync(join(dir, "ten.txt"), "0123456789");
    expect((await readArgumentInput(ctx(), { args: ["a=@ten.txt"] }, { maxBytes: 10 })).pairs[0]![1]).toBe("0123456789");
    expect((await failure(readArgumentInput(ctx(), { args: ["a=@ten.txt"] }, { maxBytes: 9 }))).message).toBe(
      "--arg a=@ten.txt: ten.txt is larger than 9 bytes (the argument size limit)",
    );
    expect((await failure(readArgumentInput(ctx("0123456789"), { args: ["a=@-"] }, { maxBytes: 9 }))).message).toBe(
      "--arg a=@-: stdin is larger than 9 bytes (the argument size limit)",
    );
  });

  test("a named pipe is read to its end (process substitution: k=@<(cmd))", async () => {
    if (process.platform === "win32") return;
    const fifo = join(dir, "pipe");
    Bun.spawnSync(["mkfifo", fifo]);
    const writer = Bun.spawn(["sh", "-c", `printf 'from a pipe' > '${fifo}'`]);
    expect((await readArgumentInput(ctx(), { args: [`a=@${fifo}`] })).pairs[0]![1]).toBe("from a pipe");
    await writer.exited;
  });

  test("usage errors: a lone @, two stdin readers, no stdin", async () => {
    const lone = await failure(readArgumentInput(ctx(), { args: ["a=@"] }));
    expect([lone.message, lone.hint]).toEqual(['--arg a=@: no file after "@"', '--arg a=@PATH reads a file, a=@- stdin; write @@ for the text "@"']);
    expect((await failure(readArgumentInput(ctx("x"), { args: ["a=@-", "b=@-"] }))).message).toBe("only one argument can read stdin, got --arg a=@- and --arg b=@-");
    expect((await failure(readArgumentInput(ctx(), { args: ["a=@-"] }))).message).toBe("--arg a=@-: there is no stdin to read");
  });
});
