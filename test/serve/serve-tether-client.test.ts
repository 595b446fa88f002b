// A tether client (the compiled binary) added to a `tether mcp serve --http --no-prefix` with one
// upstream: it lists and calls tools, reads a resource, gets a prompt and answers the upstream's
// elicitation with --input, for each upstream the conformance test fronts (the fixture's
// conformance catalog on stdio and HTTP, server-everything on stdio). Serve speaks 2026-07-28 to
// the client, so this also covers a client connecting to a server whose list_changed stream it
// listens on.
import { appendFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { expectOk, makeHome, runTether } from "../support/cli.ts";
import { writeConfig } from "../support/config.ts";
import { type Running, UPSTREAMS } from "../conformance/upstreams.ts";
import { type HttpServe, startHttpServe } from "./harness.ts";

interface Expectations {
  call: { tool: string; args: string[]; stdout: string };
  read: { uri: string; stdout: string };
  prompt: { name: string; args: string[]; contains: string };
  /** Absent for the 2026-07-28 catalog, which has no tool that asks (serve-forwarding.test.ts covers that era's questions). */
  elicit?: { tool: string; args: string[]; contains: string };
}

const FIXTURE_CATALOG: Omit<Expectations, "elicit"> = {
  call: { tool: "test_simple_text", args: [], stdout: "This is a simple text response for testing.\n" },
  read: { uri: "test://static-text", stdout: "This is the content of the static text resource.\n" },
  prompt: { name: "test_prompt_with_arguments", args: ["--arg", "arg1=a", "--arg", "arg2=b"], contains: "arg1='a', arg2='b'" },
};

const EXPECTED: Record<string, Expectations> = {
  "fixture-conformance-modern": FIXTURE_CATALOG,
  "fixture-conformance": {
    ...FIXTURE_CATALOG,
    elicit: {
      tool: "test_elicitation",
      args: ["--arg", "message=Who?", "--input", "username=ada", "--input", "email=ada@example.com"],
      contains: 'action=accept, content={"username":"ada","email":"ada@example.com"}',
    },
  },
  "server-everything": {
    call: { tool: "get-sum", args: ["--arg", "a=2", "--arg", "b=3"], stdout: "The sum of 2 and 3 is 5.\n" },
    read: { uri: "demo://resource/static/document/features.md", stdout: "# " },
    prompt: { name: "args-prompt", args: ["--arg", "city=Paris"], contains: "Paris" },
    elicit: { tool: "trigger-elicitation-request", args: ["--input", "name=Ada Lovelace", "--input-defaults"], contains: "Ada Lovelace" },
  },
};

for (const upstream of UPSTREAMS) {
  for (const transport of upstream.transports) {
    describe(`tether client → serve → ${upstream.name} (${transport})`, () => {
      const expected = EXPECTED[upstream.name]!;
      const serveHome = makeHome();
      const clientHome = makeHome();
      let running: Running;
      let served: HttpServe;
      const tether = async (args: string[]) => {
        const result = await runTether(["mcp", ...args], { home: clientHome.home, process: true });
        // A failure shows serve's side too (expectOk prints stderr).
        if (result.code !== 0) result.stderr += `\n--- serve's stderr:\n${served?.stderr()}`;
        return result;
      };

      beforeAll(async () => {
        running = await upstream.start(transport);
        writeConfig(serveHome.configPath, { servers: { [upstream.name]: running.entry } });
        served = await startHttpServe(serveHome.home, ["--no-prefix"]);
        expectOk(await tether(["add", "hub", "--url", served.url]));
        // The hub answers its first list once its upstream has started: on a loaded 2-core machine
        // (server-everything is a Node package) that has taken longer than the default 10 s.
        appendFileSync(clientHome.configPath, "startup_timeout_sec = 60\n");
      }, 60_000);

      afterAll(async () => {
        await served?.stop();
        await running?.stop();
        serveHome.cleanup();
        clientHome.cleanup();
      });

      test("lists and calls tools, reads a resource, gets a prompt", async () => {
        const tools = JSON.parse(expectOk(await tether(["tools", "hub", "--json"])).stdout);
        expect(tools.tools.map((t: { name: string }) => t.name)).toContain(expected.call.tool);
        expect(expectOk(await tether(["call", "hub", expected.call.tool, ...expected.call.args])).stdout).toBe(expected.call.stdout);
        expect(expectOk(await tether(["read", "hub", expected.read.uri])).stdout).toStartWith(expected.read.stdout);
        expect(expectOk(await tether(["prompt", "hub", expected.prompt.name, ...expected.prompt.args])).stdout).toContain(expected.prompt.contains);
      }, 60_000);

      const elicit = expected.elicit;
      if (elicit) {
        test("answers the upstream's elicitation with --input", async () => {
          expect(expectOk(await tether(["call", "hub", elicit.tool, ...elicit.args])).stdout).toContain(elicit.contains);
        }, 60_000);
      }
    });
  }
}
