// Errors, never hangs: an upstream that exits mid-call, is killed mid-call, or answers something
// the client library rejects gives the downstream client an answer naming that upstream (an
// `isError` result, as the README documents for a dead upstream) well within its timeout.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/client";
import { makeHome } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { type FixtureHandle, startHttpFixture } from "../support/fixture.ts";
import { connectHttp, connectStdioServe, type Era, type HttpServe, newClient, startHttpServe } from "./harness.ts";

/** Loose: a hang would last until tool_timeout_sec (60 s by default). */
const NO_HANG_MS = 30_000;

let home: ReturnType<typeof makeHome>;
let web: FixtureHandle;
let served: HttpServe;

beforeAll(async () => {
  home = makeHome();
  web = await startHttpFixture(["--era", "dual"]);
  writeConfig(home.configPath, {
    servers: {
      old: stdioFixture(["--era", "legacy"]),
      new: stdioFixture(["--era", "modern"]),
      bad: stdioFixture(["--era", "legacy", "--bad-result"]),
      badnew: stdioFixture(["--era", "modern", "--bad-result"]),
      web: { url: web.url, startup_timeout_sec: 60 },
    },
  });
  served = await startHttpServe(home.home);
});

afterAll(async () => {
  await served?.stop();
  await web?.stop();
  home.cleanup();
});

/** The call's answer as the client sees it: the result's text, or the JSON-RPC error's message. */
async function answer(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ isError: boolean; text: string }> {
  const started = performance.now();
  try {
    const result = await client.callTool({ name, arguments: args });
    const text = (result.content as { type: string; text?: string }[]).map((c) => c.text ?? "").join("\n");
    return { isError: result.isError === true, text };
  } catch (error) {
    return { isError: true, text: error instanceof Error ? error.message : String(error) };
  } finally {
    expect(performance.now() - started).toBeLessThan(NO_HANG_MS);
  }
}

for (const era of ["legacy", "modern"] as const satisfies Era[]) {
  test(`${era} client: an upstream that exits mid-call (2025 and 2026-07-28 on stdio) is named in the answer`, async () => {
    const client = await connectHttp(served.url, era, {}, newClient(era));
    try {
      for (const server of ["old", "new"]) {
        const crashed = await answer(client, `${server}__crash`);
        expect(crashed.isError).toBe(true);
        expect(crashed.text).toContain(`server "${server}"`);
      }
    } finally {
      await client.close();
    }
  });

  test(`${era} client: a result the client library rejects (2025 and 2026-07-28 upstream) is named in the answer`, async () => {
    const client = await connectHttp(served.url, era, {}, newClient(era));
    try {
      for (const server of ["bad", "badnew"]) {
        const rejected = await answer(client, `${server}__echo`, { text: "hi" });
        expect(rejected.isError).toBe(true);
        expect(rejected.text).toContain(`server "${server}"`);
      }
    } finally {
      await client.close();
    }
  });
}

// Last: it kills the HTTP upstream.
test("an HTTP upstream killed mid-call is named in the answer", async () => {
  const client = await connectHttp(served.url, "modern");
  try {
    const call = answer(client, "web__slow", { ms: 20_000 });
    await Bun.sleep(500);
    await web.stop();
    const killed = await call;
    expect(killed.isError).toBe(true);
    expect(killed.text).toContain('server "web"');
  } finally {
    await client.close();
  }
}, 60_000);

test("a 2026-07-28 upstream that never acknowledges serve's list_changed stream does not hold up serving", async () => {
  const silent = await startHttpFixture(["--era", "modern", "--silent-listen"]);
  const own = makeHome();
  try {
    writeConfig(own.configPath, { servers: { quiet: { url: silent.url, startup_timeout_sec: 60 } } });
    const served = await connectStdioServe(own.home, [], "modern");
    try {
      const started = performance.now();
      const { tools } = await served.client.listTools();
      expect(tools.map((t) => t.name)).toContain("quiet__echo");
      expect(performance.now() - started).toBeLessThan(NO_HANG_MS);
    } finally {
      await served.close();
    }
  } finally {
    await silent.stop();
    own.cleanup();
  }
}, 60_000);
