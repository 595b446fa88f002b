// `tether mcp serve --http`: both eras downstream, an OAuth upstream with a stored login, resources,
// templates and prompts routed back, and the HTTP guards (Host, Origin, bearer token).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { makeHome } from "../support/cli.ts";
import { stdioFixture } from "../support/config.ts";
import { type FixtureHandle, startHttpFixture } from "../support/fixture.ts";
import { loginHeadless, writeConfig } from "../cli/oauth-driver.ts";
import { stringify } from "smol-toml";
import { connectHttp, type Era, type HttpServe, startHttpServe } from "./harness.ts";

let home: ReturnType<typeof makeHome>;
let remote: FixtureHandle;
let secured: FixtureHandle;
let served: HttpServe;

beforeAll(async () => {
  home = makeHome();
  [remote, secured] = await Promise.all([
    startHttpFixture(["--era", "dual", "--features", "--name", "remote", "--tools", "echo"]),
    startHttpFixture(["--oauth", "--tools", "add"]),
  ]);
  const servers = {
    docs: stdioFixture(["--features", "--name", "docs", "--tools", "echo,progress"]),
    remote: { url: remote.url },
    secured: { url: secured.url },
    broken: stdioFixture(["--exit-on-start", "3"]),
  };
  writeConfig(home.tetherHome, stringify({ mcp_oauth_credentials_store: "file", mcp_servers: servers }));
  const login = await loginHeadless("secured", { home: home.home, via: "callback" });
  if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
  served = await startHttpServe(home.home);
}, 90_000);

afterAll(async () => {
  await served?.stop();
  await Promise.all([remote?.stop(), secured?.stop()]);
  home.cleanup();
});

const names = (items: { name: string }[]) => items.map((i) => i.name).sort();

for (const era of ["legacy", "modern"] as Era[]) {
  describe(`${era} client over HTTP`, () => {
    test("every tool, resource, template and prompt, OAuth upstream included, routed back", async () => {
      const client = await connectHttp(served.url, era);
      try {
        const { tools } = await client.listTools();
        const catalog = (server: string, tools: string[]) => tools.map((tool) => `${server}__${tool}`);
        expect(names(tools)).toEqual(
          [
            ...catalog("docs", ["echo", "progress", "ask", "ask_url", "chatty", "grow", "roots", "roots_changed", "sample"]),
            // The dual-era upstream has no roots_changed: a 2026-07-28 server asks for roots in each request.
            ...catalog("remote", ["echo", "ask", "ask_url", "chatty", "grow", "roots", "sample"]),
            "secured__add",
          ].sort(),
        );
        expect((await client.callTool({ name: "secured__add", arguments: { a: 40, b: 2 } })).content).toEqual([{ type: "text", text: "42" }]);
        expect((await client.callTool({ name: "remote__echo", arguments: { text: "hi" } })).content).toEqual([{ type: "text", text: "hi" }]);

        const { resources } = await client.listResources();
        expect(resources.map((r) => [r.name, r.uri]).sort()).toEqual([
          ["docs__logo", "docs://logo.png"],
          ["docs__readme", "docs://docs/readme"],
          ["remote__logo", "remote://logo.png"],
          ["remote__readme", "remote://docs/readme"],
        ]);
        const { resourceTemplates } = await client.listResourceTemplates();
        expect(resourceTemplates.map((t) => [t.name, t.uriTemplate]).sort()).toEqual([
          ["docs__note", "docs://notes/{id}"],
          ["remote__note", "remote://notes/{id}"],
        ]);
        const readme = await client.readResource({ uri: "remote://docs/readme" });
        expect(readme.contents).toEqual([{ uri: "remote://docs/readme", mimeType: "text/plain", text: "# Fixture\nhello from a resource\n" }]);
        const note = await client.readResource({ uri: "docs://notes/7" });
        expect(note.contents).toEqual([{ uri: "docs://notes/7", mimeType: "text/plain", text: "note 7" }]);
        await expect(client.readResource({ uri: "nobody://x" })).rejects.toThrow(/no server offers resource/);

        const { prompts } = await client.listPrompts();
        expect(names(prompts)).toEqual(["docs__greet", "docs__review", "docs__with_resource", "remote__greet", "remote__review", "remote__with_resource"]);
        const greeting = await client.getPrompt({ name: "remote__greet", arguments: { name: "Ada" } });
        expect(greeting.messages).toEqual([{ role: "user", content: { type: "text", text: "Hello, Ada!" } }]);
      } finally {
        await client.close();
      }
    }, 60_000);
  });
}

test("the failing upstream is reported on stderr, and the upstreams' credentials never reach the client", async () => {
  expect(served.stderr()).toContain('server "broken" is left out');
  const client = await connectHttp(served.url, "legacy");
  try {
    const all = JSON.stringify([await client.listTools(), await client.listResources(), await client.callTool({ name: "secured__add", arguments: { a: 1, b: 1 } })]);
    expect(all).not.toMatch(/access_token|Bearer|refresh/i);
  } finally {
    await client.close();
  }
}, 60_000);

describe("guards", () => {
  const post = (url: string, headers: Record<string, string>) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });

  test("DNS rebinding: a foreign Host or Origin is refused (403), another localhost port too; serve's own origin is not", async () => {
    const port = new URL(served.url).port;
    expect((await post(served.url, { host: "evil.example" })).status).toBe(403);
    expect((await post(served.url, { origin: "http://evil.example" })).status).toBe(403);
    expect((await post(served.url, { origin: "http://localhost:1234" })).status).toBe(403);
    for (const own of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) expect((await post(served.url, { origin: own })).status).toBe(200);
  });

  test("only /mcp is served; bodies over the bound are refused", async () => {
    expect((await fetch(served.url.replace(/\/mcp$/, "/other"))).status).toBe(404);
    const huge = await fetch(served.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: "x".repeat(5 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
  });

  test("--token-env-var: clients must send the bearer token", async () => {
    const tokenHome = makeHome();
    writeConfig(tokenHome.tetherHome, stringify({ mcp_servers: { docs: stdioFixture(["--tools", "echo"]) } }));
    const guarded = await startHttpServe(tokenHome.home, ["--token-env-var", "SERVE_TOKEN"], { SERVE_TOKEN: "s3cret-token-value" });
    try {
      expect((await post(guarded.url, {})).status).toBe(401);
      expect((await post(guarded.url, { authorization: "Bearer wrong" })).status).toBe(401);
      const client = await connectHttp(guarded.url, "modern", { authorization: "Bearer s3cret-token-value" });
      expect(names((await client.listTools()).tools)).toEqual(["docs__echo"]);
      await client.close();
      expect(guarded.stderr()).not.toContain("s3cret-token-value");
    } finally {
      await guarded.stop();
      tokenHome.cleanup();
    }
  }, 60_000);
});
