// `tether mcp serve` forwards an upstream's elicitation, sampling and roots requests to the
// downstream client whose call caused them, and carries the answers back: every pairing of eras,
// on stdio and over HTTP. A client without the capability gets a clean refusal instead.
import { afterEach, describe, expect, test } from "bun:test";
import { type Client, type ClientCapabilities, LOG_LEVEL_META_KEY } from "@modelcontextprotocol/client";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { connectHttp, type Era, newClient, servePerTest } from "./harness.ts";

const serve = servePerTest();
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
});

const EVERYTHING: ClientCapabilities = { elicitation: { form: {}, url: {} }, sampling: {}, roots: { listChanged: true } };

/** A downstream client that answers like a user and a model would. */
function answeringClient(era: Era, capabilities: ClientCapabilities = EVERYTHING): { client: Client; asked: string[] } {
  const client = newClient(era, "forwarding-test", capabilities);
  const asked: string[] = [];
  if (capabilities.elicitation) {
    client.setRequestHandler("elicitation/create", async (request) => {
      asked.push(`elicit ${request.params.mode ?? "form"}: ${request.params.message}`);
      return request.params.mode === "url" ? { action: "accept" } : { action: "accept", content: { name: "Ada", count: 2 } };
    });
  }
  if (capabilities.sampling) {
    client.setRequestHandler("sampling/createMessage", async (request) => {
      const first = request.params.messages[0]?.content;
      asked.push(`sample: ${first && "text" in first ? first.text : "?"}`);
      return { role: "assistant", model: "test-model", content: { type: "text", text: "forty-two" } };
    });
  }
  if (capabilities.roots) {
    client.setRequestHandler("roots/list", async () => {
      asked.push("roots");
      return { roots: [{ uri: "file:///work/project", name: "project" }] };
    });
  }
  clients.push(client);
  return { client, asked };
}

const textOf = (result: { content?: unknown }) => (result.content as { text?: string }[])[0]?.text;

function upstreams(top: Record<string, unknown> = {}) {
  writeConfig(serve.home.configPath, {
    top,
    servers: {
      old: stdioFixture(["--era", "legacy", "--features", "--tools", "echo"]),
      new: stdioFixture(["--era", "modern", "--features", "--tools", "echo"]),
    },
  });
}

for (const era of ["legacy", "modern"] as Era[]) {
  describe(`stdio, ${era} client`, () => {
    test("elicitation (form and URL), sampling and roots from a 2025 and a 2026-07-28 upstream reach the client and come back", async () => {
      upstreams();
      const { client, asked } = answeringClient(era);
      await serve.stdio([], era, {}, client);
      for (const server of ["old", "new"]) {
        expect(textOf(await client.callTool({ name: `${server}__ask`, arguments: {} }))).toBe('accept {"name":"Ada","count":2}');
        expect(textOf(await client.callTool({ name: `${server}__ask_url`, arguments: {} }))).toBe("accept {}");
        expect(textOf(await client.callTool({ name: `${server}__sample`, arguments: { prompt: "the answer?" } }))).toBe("sampled [test-model, -]: forty-two");
        expect(textOf(await client.callTool({ name: `${server}__roots`, arguments: {} }))).toBe('roots: ["file:///work/project"]');
      }
      const round = ["elicit form: Tell the fixture about yourself.", "elicit url: Confirm in the browser.", "sample: the answer?", "roots"];
      expect(asked).toEqual([...round, ...round]);
    }, 90_000);

    test("a client without the capabilities: a 2026-07-28 upstream refuses as it would directly (-32021), a 2025 one is declined; tether's own roots; the gateway keeps serving", async () => {
      upstreams({ roots: ["/srv/shared"] });
      const { client, asked } = answeringClient(era, {});
      await serve.stdio([], era, {}, client);
      // A 2025 upstream saw tether's capabilities at initialize: tether declines on the client's behalf.
      expect(textOf(await client.callTool({ name: "old__ask", arguments: {} }))).toBe("decline");
      const sampled = await client.callTool({ name: "old__sample", arguments: { prompt: "x" } });
      expect(sampled.isError).toBe(true);
      expect(textOf(sampled)).toContain("does not support sampling");
      // A 2026-07-28 upstream sees the client's own capabilities on each request, and answers as it would directly.
      for (const [tool, capability] of [["new__ask", "elicitation"], ["new__sample", "sampling"]] as const) {
        const refused = await client.callTool({ name: tool, arguments: { prompt: "x" } }).then(
          () => undefined,
          (error: { code?: number; data?: { requiredCapabilities?: object } }) => error,
        );
        expect(refused?.code).toBe(-32021);
        expect(Object.keys(refused?.data?.requiredCapabilities ?? {})).toEqual([capability]);
      }
      for (const server of ["old", "new"]) {
        expect(textOf(await client.callTool({ name: `${server}__roots`, arguments: {} }))).toBe('roots: ["file:///srv/shared"]');
        expect(textOf(await client.callTool({ name: `${server}__echo`, arguments: { text: "still here" } }))).toBe("still here");
      }
      expect(asked).toEqual([]);
    }, 90_000);
  });
}

for (const era of ["legacy", "modern"] as Era[]) {
  test(`a ${era} client answers the questions an upstream asks during prompts/get and resources/read, not only during calls`, async () => {
    writeConfig(serve.home.configPath, {
      servers: {
        old: stdioFixture(["--era", "legacy", "--features", "--ask-in-reads", "--name", "old"]),
        new: stdioFixture(["--era", "modern", "--features", "--ask-in-reads", "--name", "new"]),
      },
    });
    const { client, asked } = answeringClient(era);
    await serve.stdio([], era, {}, client);
    const answer = 'accept {"name":"Ada","count":2}';
    for (const server of ["old", "new"]) {
      const prompt = await client.getPrompt({ name: `${server}__ask_prompt` });
      expect(prompt.messages.map((m) => ("text" in m.content ? m.content.text : ""))).toEqual([answer]);
      const read = await client.readResource({ uri: `${server}://asked` });
      expect(read.contents.map((c) => ("text" in c ? c.text : ""))).toEqual([answer]);
    }
    expect(asked).toEqual(Array(4).fill("elicit form: Tell the fixture about yourself."));
  }, 90_000);
}

for (const era of ["legacy", "modern"] as Era[]) {
  test(`over HTTP, a ${era} client answers an upstream's questions (2026-07-28: input_required and the retry; 2025: in its session)`, async () => {
    upstreams();
    const http = await serve.http();
    const { client, asked } = answeringClient(era);
    await connectHttp(http.url, era, {}, client);
    for (const server of ["old", "new"]) {
      expect(textOf(await client.callTool({ name: `${server}__ask`, arguments: {} }))).toBe('accept {"name":"Ada","count":2}');
      expect(textOf(await client.callTool({ name: `${server}__sample`, arguments: { prompt: "over http" } }))).toBe("sampled [test-model, -]: forty-two");
      expect(textOf(await client.callTool({ name: `${server}__roots`, arguments: {} }))).toBe('roots: ["file:///work/project"]');
    }
    expect(asked.filter((a) => a === "roots")).toHaveLength(2);
  }, 90_000);
}

for (const era of ["legacy", "modern"] as Era[]) {
  test(`over HTTP, a ${era} client hears an upstream's log lines on the stream of the call they came during`, async () => {
    upstreams();
    const http = await serve.http();
    const { client } = answeringClient(era);
    await connectHttp(http.url, era, {}, client);
    const logged: string[] = [];
    client.setNotificationHandler("notifications/message", (n) => void logged.push(`${n.params.logger}: ${String(n.params.data)}`));
    if (era === "legacy") await client.setLoggingLevel("info");
    for (const server of ["old", "new"]) {
      await client.callTool({ name: `${server}__chatty`, arguments: {}, _meta: { [LOG_LEVEL_META_KEY]: "info" } });
    }
    // The result waits for the lines sent before it, so they are all here.
    for (const server of ["old", "new"]) {
      expect(logged).toContain(`${server}/fixture: starting the job`);
      expect(logged).toContain(`${server}/fixture: one part failed`);
    }
  }, 90_000);
}

test("a client's notifications/roots/list_changed reaches the upstreams", async () => {
  upstreams();
  const { client } = answeringClient("legacy");
  await serve.stdio([], "legacy", {}, client);
  expect(textOf(await client.callTool({ name: "old__roots_changed", arguments: {} }))).toBe("0");
  await client.sendRootsListChanged();
  // The notification and the next call travel in order over both pipes, so the count is already up.
  expect(textOf(await client.callTool({ name: "old__roots_changed", arguments: {} }))).toBe("1");
}, 60_000);

test("a 2026-07-28 client sees an upstream's question under the upstream's own key", async () => {
  writeConfig(serve.home.configPath, { servers: { fx: stdioFixture(["--era", "modern", "--features"]) } });
  const served = await serve.stdio([], "modern", {}, newClient("modern", "manual", { elicitation: { form: {} } }));
  const first = (await served.client.callTool({ name: "fx__ask", arguments: {} }, { allowInputRequired: true })) as unknown as {
    resultType: string;
    inputRequests: Record<string, unknown>;
    requestState: string;
  };
  expect(first.resultType).toBe("input_required");
  // The fixture's ask tool names its question "form".
  expect(Object.keys(first.inputRequests)).toEqual(["form"]);
  expect(first.requestState).toBeString();
});

test("answers a 2026-07-28 client sends unasked with its first call reach a 2026-07-28 upstream as sent", async () => {
  writeConfig(serve.home.configPath, { servers: { fx: stdioFixture(["--era", "modern", "--features"]) } });
  const served = await serve.stdio([], "modern", {}, newClient("modern", "manual", { elicitation: { form: {} } }));
  const inputResponses = { form: { action: "accept", content: { name: "Grace", count: 3 } }, unrelated: { action: "decline" } };
  const result = await served.client.request({ method: "tools/call", params: { name: "fx__ask", arguments: {}, inputResponses } });
  expect(textOf(result as { content?: unknown })).toBe('accept {"name":"Grace","count":3}');
});
