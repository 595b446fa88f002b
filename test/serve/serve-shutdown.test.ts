// SIGTERM / Ctrl-C: stop accepting, let a short call finish, cancel a long one, close upstream children.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive, makeHome } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { connectHttp, runningCall, startHttpServe } from "./harness.ts";

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`${signal}: in-flight calls finish or are cancelled within the bound, upstream children are closed`, async () => {
    const home = makeHome();
    const pidFile = join(home.home, "upstream.pid");
    writeConfig(home.configPath, { servers: { docs: stdioFixture(["--pid-file", pidFile]) } });
    // SIGTERM drains up to --drain-timeout (default 30 s); Ctrl-C ignores it.
    const served = await startHttpServe(home.home, ["--drain-timeout", "1"]);
    try {
      const client = await connectHttp(served.url, "modern");
      await client.listTools();
      const upstreamPid = Number(readFileSync(pidFile, "utf8"));
      // Both calls are running upstream when the signal comes (not after a guessed sleep).
      const short = runningCall(client, "docs", 300);
      const long = runningCall(client, "docs", 60_000);
      await Promise.all([short.running, long.running]);
      await served.stop(signal);
      expect(((await short.result) as { content?: unknown }).content).toEqual([{ type: "text", text: "done 1" }]);
      const cut = await long.result;
      // Cancelled upstream: an error result, or the stream closing under the client.
      expect(cut instanceof Error || (cut as { isError?: boolean }).isError === true).toBe(true);
      expect(isProcessAlive(upstreamPid)).toBe(false);
    } finally {
      await served.stop("SIGKILL");
      home.cleanup();
    }
  }, 60_000);
}
