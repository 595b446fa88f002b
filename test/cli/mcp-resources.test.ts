// `mcp resources`, `mcp read`, `mcp prompts`, `mcp prompt` against the fixture in both eras,
// piped and with a terminal stdout, and the one-line errors for bad input.
//
// The fixtures are HTTP ones shared by an era's tests: these commands only read, and a stdio
// fixture per command was about 60 process starts, most of this file's CPU. The transports
// themselves are tested elsewhere (test/mcp/connections.test.ts, test/mcp/eras.test.ts).
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expectOk, homePerTest, runTether } from "../support/cli.ts";
import { writeConfig } from "../support/config.ts";
import { type FixtureHandle, startHttpFixture } from "../support/fixture.ts";
import { TINY_PNG_BASE64 } from "../support/fixture-results.ts";

const each = homePerTest();

for (const era of ["legacy", "modern"] as const) {
  describe(`${era} era`, () => {
    const tether = (args: string[], tty?: { stdout?: boolean }) => runTether(args, { home: each.home.home, tty });
    let fx: FixtureHandle;
    let plain: FixtureHandle;
    beforeAll(async () => {
      [fx, plain] = await Promise.all([startHttpFixture(["--features", "--era", era]), startHttpFixture(["--era", era])]);
    });
    afterAll(() => Promise.all([fx?.stop(), plain?.stop()]));
    beforeEach(() => writeConfig(each.home.configPath, { servers: { fx: { url: fx.url }, plain: { url: plain.url } } }));

    test("resources: piped rows, --templates, --json", async () => {
      expect(expectOk(await tether(["mcp", "resources", "fx"])).stdout).toBe(
        "fixture://docs/readme\treadme\ttext/plain\t-\tThe fixture's readme.\nfixture://logo.png\tlogo\timage/png\t-\tA tiny PNG.\n",
      );
      expect(expectOk(await tether(["mcp", "resources", "fx", "--templates"])).stdout).toBe("fixture://notes/{id}\tnote\ttext/plain\tA note by id.\n");
      const json = JSON.parse(expectOk(await tether(["mcp", "resources", "fx", "--json"])).stdout);
      expect(json.resources[0]).toEqual({ uri: "fixture://docs/readme", name: "readme", title: null, mime_type: "text/plain", size: null, description: "The fixture's readme." });
      const templates = JSON.parse(expectOk(await tether(["mcp", "resources", "fx", "--templates", "--json"])).stdout);
      expect(templates).toEqual({
        server: "fx",
        resource_templates: [{ uri_template: "fixture://notes/{id}", name: "note", title: null, mime_type: "text/plain", description: "A note by id." }],
      });
    });

    test("resources on a terminal: a header row; a server without resources says so", async () => {
      const out = expectOk(await tether(["mcp", "resources", "fx"], { stdout: true })).stdout;
      expect(out.split("\n")[0]).toMatch(/^URI\s+NAME\s+MIME\s+SIZE\s+DESCRIPTION$/);
      const none = expectOk(await tether(["mcp", "resources", "plain"]));
      expect(none.stdout).toBe("");
      expect(none.stderr).toContain('Server "plain" offers no resources.');
    });

    test("read: text, a template URI, binary to --out, refused without it", async () => {
      expect(expectOk(await tether(["mcp", "read", "fx", "fixture://docs/readme"])).stdout).toBe("# Fixture\nhello from a resource\n");
      expect(expectOk(await tether(["mcp", "read", "fx", "fixture://notes/42"])).stdout).toBe("note 42\n");
      const out = join(each.home.home, "logo.png");
      const wrote = expectOk(await tether(["mcp", "read", "fx", "fixture://logo.png", "--out", out]));
      expect(readFileSync(out)).toEqual(Buffer.from(TINY_PNG_BASE64, "base64"));
      expect(wrote.stderr).toContain(`wrote 70 bytes (image/png) to ${out}`);
      const refused = await tether(["mcp", "read", "fx", "fixture://logo.png"], { stdout: true });
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe("");
      expect(refused.stderr).toBe(
        'error: resource "fixture://logo.png" is binary (image/png, 70 bytes); tether does not write it to a terminal\nhint: save it with --out FILE, or see it base64-encoded with --json\n',
      );
      const json = JSON.parse(expectOk(await tether(["mcp", "read", "fx", "fixture://logo.png", "--json"])).stdout);
      expect(json.contents[0].blob).toBe(TINY_PNG_BASE64);
    });

    test("read: an unknown URI is the server's no (exit 1); a non-URI is a usage error (exit 2)", async () => {
      const unknown = await tether(["mcp", "read", "fx", "fixture://nope"]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/^error: resources\/read fixture:\/\/nope on server "fx" failed: .*not found.*\nhint: list what it has: tether mcp resources fx \(and --templates\)\n$/i);
      const bad = await tether(["mcp", "read", "fx", "readme"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr.split("\n")[0]).toBe('error: "readme" is not a URI (expected scheme:..., e.g. file:///path)');
    });

    test("prompts and prompt: list with required marks, render with arguments and an embedded resource", async () => {
      expect(expectOk(await tether(["mcp", "prompts", "fx"])).stdout).toBe(
        "greet\tSay hello.\tname\nreview\tReview some code.\tcode*, style\nwith_resource\tA prompt that embeds the readme.\t-\n",
      );
      const json = JSON.parse(expectOk(await tether(["mcp", "prompts", "fx", "--json"])).stdout);
      expect(json.prompts[1]).toEqual({
        name: "review",
        title: null,
        description: "Review some code.",
        arguments: [
          { name: "code", description: "The code", required: true },
          { name: "style", description: "Review style", required: false },
        ],
      });
      expect(expectOk(await tether(["mcp", "prompt", "fx", "review", "--arg", "code=x = 1", "--arg", "style=terse"])).stdout).toBe(
        "[user]\nReview this code (terse):\nx = 1\n",
      );
      expect(expectOk(await tether(["mcp", "prompt", "fx", "with_resource"])).stdout).toBe(
        "[user]\n(resource fixture://docs/readme, text/plain)\nhello from a resource\n[assistant]\nI read it.\n",
      );
      const rendered = JSON.parse(expectOk(await tether(["mcp", "prompt", "fx", "greet", "--json"])).stdout);
      expect(rendered).toEqual({
        server: "fx",
        prompt: "greet",
        arguments: {},
        description: null,
        messages: [{ role: "user", content: { type: "text", text: "Say hello to the fixture." } }],
      });
    });

    test("prompt: unknown prompt, unknown and missing arguments are usage errors (exit 2)", async () => {
      const unknown = await tether(["mcp", "prompt", "fx", "revew"]);
      expect([unknown.code, unknown.stderr]).toEqual([2, 'error: server "fx" has no prompt "revew"\nhint: did you mean "review"?\n']);
      const missing = await tether(["mcp", "prompt", "fx", "review"]);
      expect([missing.code, missing.stderr]).toEqual([2, 'error: prompt "review" needs --arg code=...\nhint: see: tether mcp prompts fx\n']);
      const extra = await tether(["mcp", "prompt", "fx", "review", "--arg", "code=1", "--arg", "styl=x"]);
      expect([extra.code, extra.stderr]).toEqual([2, 'error: prompt "review" on server "fx" has no argument "styl"\nhint: did you mean --arg style=...?\n']);
      const none = await tether(["mcp", "prompt", "plain", "greet"]);
      expect([none.code, none.stderr]).toEqual([2, 'error: server "plain" offers no prompts\n']);
    });
  });
}
