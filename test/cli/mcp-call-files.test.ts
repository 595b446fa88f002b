// `mcp call` / `mcp prompt` with arguments from files and stdin (`k=@PATH`, `k=@-`, `--args-json
// @PATH|-`), and `mcp call --save-images DIR` / `--out FILE` (issue 22), against the fixture's
// `--io-tools` in both eras. An era's tests share one HTTP fixture (its tools keep no state): a
// stdio fixture per command was about 50 process starts, most of this file's CPU.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectOk, homePerTest, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { type FixtureHandle, startHttpFixture } from "../support/fixture.ts";
import { EMPTY_WAV_BASE64 } from "../support/fixture-io.ts";
import { TINY_PNG_BASE64 } from "../support/fixture-results.ts";

const each = homePerTest();
const tether = (args: string[], stdin?: string) => runTether(args, { home: each.home.home, stdin });
/** Writes a file in the test's home (the command's current directory) and returns its name. */
const file = (name: string, content: string | Buffer) => {
  writeFileSync(join(each.home.home, name), content);
  return name;
};

for (const era of ["legacy", "modern"] as const) {
  describe(`${era} era`, () => {
    let fx: FixtureHandle;
    beforeAll(async () => {
      fx = await startHttpFixture(["--io-tools", "--features", "--era", era]);
    });
    afterAll(() => fx?.stop());
    beforeEach(() =>
      writeConfig(each.home.configPath, {
        servers: {
          fx: { url: fx.url },
          // Never started: a bad argument file must fail before any server does.
          down: { command: join(each.home.home, "no-such-server") },
        },
      }),
    );

    test("@PATH: the file's text, coerced by the schema like a typed value", async () => {
      file("doc.json", '{\n  "a": [1, 2],\n  "b": "x"\n}\n');
      file("tags.json", '["red", "green"]');
      file("count.txt", "42\n");
      file("flag.txt", "true\n");
      file("note.md", "# Notes\n\nline two\n");
      const args = ["--arg", "doc=@doc.json", "--arg", "tags=@tags.json", "--arg", "count=@count.txt", "--arg", "flag=@flag.txt", "--arg", "note=@note.md"];
      const result = expectOk(await tether(["mcp", "call", "fx", "inspect", ...args]));
      expect(JSON.parse(result.stdout)).toEqual({ doc: { a: [1, 2], b: "x" }, tags: ["red", "green"], count: 42, flag: true, note: "# Notes\n\nline two\n" });
      // A string is the file exactly, final newline included; `echo` prints it as it came.
      expect(expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=@note.md"])).stdout).toBe("# Notes\n\nline two\n");
    });

    test("@@ is a value that starts with @; ~/ is the home directory", async () => {
      expect(JSON.parse(expectOk(await tether(["mcp", "call", "fx", "inspect", "--arg", "note=@@acme/pkg"])).stdout)).toEqual({ note: "@acme/pkg" });
      mkdirSync(join(each.home.home, "sub"));
      file("sub/n.txt", "from home");
      expect(JSON.parse(expectOk(await tether(["mcp", "call", "fx", "inspect", "--arg", "note=@~/sub/n.txt"])).stdout)).toEqual({ note: "from home" });
    });

    test("a missing file is a usage error naming it, before any server starts, with the @@ hint", async () => {
      const missing = await tether(["mcp", "call", "down", "inspect", "--arg", "note=@acme/pkg"]);
      expect(missing.code).toBe(2);
      expect(missing.stdout).toBe("");
      expect(missing.stderr).toBe(
        `error: --arg note=@acme/pkg: no file acme/pkg (${join(each.home.home, "acme/pkg")})\nhint: write @@acme/pkg for a value that starts with @\n`,
      );
      const json = await tether(["mcp", "call", "down", "inspect", "--args-json", "@args.json"]);
      expect(json.code).toBe(2);
      expect(json.stderr).toBe(`error: --args-json @args.json: no file args.json (${join(each.home.home, "args.json")})\n`);
    });

    test("a binary file, or a directory, is refused in one line naming the argument and the file", async () => {
      file("logo.png", Buffer.from(TINY_PNG_BASE64, "base64"));
      file("latin1.txt", Buffer.from("caf\xe9", "latin1"));
      const png = await tether(["mcp", "call", "down", "inspect", "--arg", "note=@logo.png"]);
      expect(png.code).toBe(2);
      expect(png.stderr.split("\n")[0]).toBe("error: --arg note=@logo.png: file logo.png is binary (not UTF-8 text); arguments take text");
      const latin1 = await tether(["mcp", "call", "down", "inspect", "--arg", "note=@latin1.txt"]);
      expect(latin1.stderr.split("\n")[0]).toBe("error: --arg note=@latin1.txt: file latin1.txt is binary (not UTF-8 text); arguments take text");
      mkdirSync(join(each.home.home, "dir"));
      const dir = await tether(["mcp", "call", "down", "inspect", "--arg", "note=@dir"]);
      expect(dir.code).toBe(2);
      expect(dir.stderr).toBe("error: --arg note=@dir: dir is a directory\n");
    });

    test("a file whose text does not fit the schema: the error says where it came from", async () => {
      file("doc.json", '{"a": 1,}');
      const bad = await tether(["mcp", "call", "fx", "inspect", "--arg", "doc=@doc.json"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr.split("\n")[0]).toBe('error: argument "doc" from doc.json: expected a JSON object, got "{\\"a\\": 1,}" (invalid JSON at column 9: expected a property name in double quotes)');
      file("args.json", '{\n  "count": "many"\n}');
      const badJson = await tether(["mcp", "call", "fx", "inspect", "--args-json", "@args.json"]);
      expect(badJson.code).toBe(2);
      expect(badJson.stderr).toBe('error: argument "count" in --args-json @args.json: expected a number, got "many"\n');
    });

    test("stdin: k=@- and --args-json -, one reader only", async () => {
      expect(JSON.parse(expectOk(await tether(["mcp", "call", "fx", "inspect", "--arg", "note=@-"], "piped\ntext\n")).stdout)).toEqual({ note: "piped\ntext\n" });
      const fromStdin = await tether(["mcp", "call", "fx", "inspect", "--args-json", "-", "--arg", "count=7"], '{"tags": ["a"], "count": 1}');
      expect(JSON.parse(expectOk(fromStdin).stdout)).toEqual({ tags: ["a"], count: 7 });
      file("args.json", '{"flag": false}');
      expect(JSON.parse(expectOk(await tether(["mcp", "call", "fx", "inspect", "--args-json", "@args.json"])).stdout)).toEqual({ flag: false });
      const two = await tether(["mcp", "call", "down", "inspect", "--arg", "note=@-", "--args-json", "-"], "{}");
      expect(two.code).toBe(2);
      expect(two.stderr).toBe("error: only one argument can read stdin, got --arg note=@- and --args-json -\nhint: put the others in files: --arg k=@PATH\n");
      const bad = await tether(["mcp", "call", "fx", "inspect", "--args-json", "-"], "[1]");
      expect(bad.stderr).toBe("error: --args-json from stdin must be a JSON object, got an array\n");
    });

    test("mcp prompt --arg k=@PATH: prompt arguments are the file's text", async () => {
      file("code.py", "x = 1\n");
      expect(expectOk(await tether(["mcp", "prompt", "fx", "review", "--arg", "code=@code.py"])).stdout).toBe("[user]\nReview this code:\nx = 1\n");
      const missing = await tether(["mcp", "prompt", "down", "review", "--arg", "code=@nope.py"]);
      expect(missing.code).toBe(2);
      expect(missing.stderr.split("\n")[0]).toBe(`error: --arg code=@nope.py: no file nope.py (${join(each.home.home, "nope.py")})`);
    });

    test("--save-images DIR: each image and audio block to a file tether names, never overwriting", async () => {
      const first = expectOk(await tether(["mcp", "call", "fx", "media", "--save-images", "shots"]));
      expect(first.stdout).toBe("two pictures and a sound\n");
      expect(first.stderr).toBe(
        [
          "saved image (image/png, 70 bytes) to shots/media-1.png",
          "saved audio (audio/wav, 44 bytes) to shots/media-2.wav",
          "saved image (image/x-../../evil, 19 bytes) to shots/media-3.bin",
          "",
        ].join("\n"),
      );
      const dir = join(each.home.home, "shots");
      expect(readFileSync(join(dir, "media-1.png"))).toEqual(Buffer.from(TINY_PNG_BASE64, "base64"));
      expect(readFileSync(join(dir, "media-2.wav"))).toEqual(Buffer.from(EMPTY_WAV_BASE64, "base64"));
      expect(readFileSync(join(dir, "media-3.bin"), "utf8")).toBe("not really an image");
      // A second call picks the next free names; --json stays the result alone on stdout.
      const again = expectOk(await tether(["mcp", "call", "fx", "media", "--save-images", "shots", "--json"]));
      expect(JSON.parse(again.stdout).content[0]).toEqual({ type: "image", data: TINY_PNG_BASE64, mimeType: "image/png" });
      expect(again.stderr.split("\n")[0]).toBe("saved image (image/png, 70 bytes) to shots/media-4.png");
      expect(readdirSync(dir).sort()).toEqual(["media-1.png", "media-2.wav", "media-3.bin", "media-4.png", "media-5.wav", "media-6.bin"]);
      const none = expectOk(await tether(["mcp", "call", "fx", "echo", "--arg", "text=hi", "--save-images", "shots"]));
      expect(none.stderr).toBe("(no image or audio in the result; nothing saved to shots)\n");
    });

    test("--out FILE: the result exactly as --json prints it, stdout empty, one note on stderr", async () => {
      const printed = expectOk(await tether(["mcp", "call", "fx", "media", "--json"])).stdout;
      const wrote = expectOk(await tether(["mcp", "call", "fx", "media", "--out", "out/result.json"]));
      expect(wrote.stdout).toBe("");
      const saved = readFileSync(join(each.home.home, "out/result.json"), "utf8");
      expect(saved).toBe(printed);
      expect(wrote.stderr).toBe(`wrote the result (${Buffer.byteLength(saved)} bytes of JSON) to out/result.json\n`);
      // An error result is written too, and the command still fails.
      const failed = await tether(["mcp", "call", "fx", "fail", "--arg", "message=disk full", "--out", "fail.json"]);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toBe("");
      expect(JSON.parse(readFileSync(join(each.home.home, "fail.json"), "utf8")).isError).toBe(true);
    });
  });
}

describe("bad output flags fail before the call", () => {
  beforeEach(() => writeConfig(each.home.configPath, { servers: { down: { command: join(each.home.home, "no-such-server") } } }));

  test("--out naming a directory, --save-images naming a file", async () => {
    mkdirSync(join(each.home.home, "dir"));
    const out = await tether(["mcp", "call", "down", "media", "--out", "dir"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe("error: --out dir: is a directory\nhint: name a file, e.g. --out result.json\n");
    file("taken", "x");
    const images = await tether(["mcp", "call", "down", "media", "--save-images", "taken"]);
    expect(images.code).toBe(2);
    expect(images.stderr).toBe("error: --save-images taken: not a directory\n");
  });
});

test("--save-images writes at most 256 files per call and says how many it skipped", async () => {
  writeConfig(each.home.configPath, { servers: { fx: stdioFixture(["--io-tools"]) } });
  const many = expectOk(await tether(["mcp", "call", "fx", "media", "--arg", "images=300", "--save-images", "many"]));
  expect(readdirSync(join(each.home.home, "many"))).toHaveLength(256);
  expect(many.stderr).toContain("skipped 47 more image/audio blocks (--save-images writes at most 256 per call)\n");
});
