// `tether mcp serve` relays completion/complete (prompt and resource template arguments, the
// prompt's name un-prefixed for its upstream) and resource subscriptions with their updates.
import { expect, test } from "bun:test";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { connectHttp, type Era, servePerTest } from "./harness.ts";

const serve = servePerTest();

function upstreams() {
  writeConfig(serve.home.configPath, {
    servers: {
      docs: stdioFixture(["--features", "--subscriptions", "--name", "docs", "--tools", "echo"]),
      code: stdioFixture(["--era", "modern", "--features", "--name", "code", "--tools", "echo"]),
    },
  });
}

for (const era of ["legacy", "modern"] as Era[]) {
  test(`stdio, ${era} client: prompt and template arguments complete through the gateway`, async () => {
    upstreams();
    const served = await serve.stdio([], era);
    const { client } = served;
    for (const server of ["docs", "code"]) {
      const names = await client.complete({ ref: { type: "ref/prompt", name: `${server}__greet` }, argument: { name: "name", value: "a" } });
      expect(names.completion.values).toEqual(["Ada", "Alan"]);
      const ids = await client.complete({ ref: { type: "ref/resource", uri: `${server}://notes/{id}` }, argument: { name: "id", value: "1" } });
      expect(ids.completion.values).toEqual(["1", "10"]);
    }
    await expect(client.complete({ ref: { type: "ref/prompt", name: "greet" }, argument: { name: "name", value: "a" } })).rejects.toThrow(/unknown prompt/);
  }, 60_000);
}

test("stdio, legacy client: a subscribed resource's updates are passed back; unsubscribing stops them", async () => {
  upstreams();
  const served = await serve.stdio([], "legacy");
  const { client } = served;
  const updated = new Promise<string>((resolve) => client.setNotificationHandler("notifications/resources/updated", (n) => resolve(n.params.uri)));
  expect(client.getServerCapabilities()?.resources?.subscribe).toBe(true);
  await client.subscribeResource({ uri: "docs://docs/readme" });
  expect((await client.callTool({ name: "docs__touch", arguments: {} })).content).toEqual([{ type: "text", text: "touched" }]);
  expect(await updated).toBe("docs://docs/readme");
  await client.unsubscribeResource({ uri: "docs://docs/readme" });
  expect((await client.callTool({ name: "docs__touch", arguments: {} })).content).toEqual([{ type: "text", text: "nobody subscribed" }]);
  // A server that offers no subscriptions: the client hears why.
  await expect(client.subscribeResource({ uri: "code://docs/readme" })).rejects.toThrow(/does not offer subscriptions/);
}, 60_000);

test("HTTP, modern client: completion works statelessly", async () => {
  upstreams();
  const http = await serve.http();
  const client = await connectHttp(http.url, "modern");
  const names = await client.complete({ ref: { type: "ref/prompt", name: "docs__greet" }, argument: { name: "name", value: "g" } });
  expect(names.completion.values).toEqual(["Grace"]);
  await client.close();
}, 60_000);
