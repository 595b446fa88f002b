// The real @napi-rs/keyring addon on a Linux box without a session bus: auto mode must fall back to the file.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { ACCESS_TOKEN, REFRESH_TOKEN, sampleCredentials, tempHome } from "./fixtures.ts";

const onLinux = process.platform === "linux";
if (!onLinux) {
  process.stderr.write(`skip: ${import.meta.file} simulates a missing Secret Service through D-Bus, which only Linux uses\n`);
}

let home: string;
let cleanup: () => void;
beforeEach(() => ({ home, cleanup } = tempHome()));
afterEach(() => cleanup());

test.skipIf(!onLinux)("auto mode over the real addon falls back to the 0600 file when D-Bus is unreachable", async () => {
  const script = join(import.meta.dir, "auto-fallback-in-process.ts");
  const child = Bun.spawn([process.execPath, script, home], {
    // A bus address that cannot connect: the Secret Service is unreachable, as in a container or over SSH.
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, "no-such-bus")}` },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);

  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  const result = JSON.parse(stdout) as { kind: string; notices: string[]; savedAt: number };
  const file = join(home, ".credentials.json");
  expect(result.kind).toBe("file");
  expect(result.savedAt).toBe(sampleCredentials("docs").savedAt + 1);
  expect(result.notices).toHaveLength(1);
  expect(result.notices[0]).toStartWith("note: no OS keyring available (");
  expect(result.notices[0]).toEndWith(`); storing OAuth credentials in ${file} (mode 0600)`);
  expect(result.notices[0]).not.toContain(ACCESS_TOKEN);
  expect(result.notices[0]).not.toContain(REFRESH_TOKEN);
  expect(statSync(file).mode & 0o777).toBe(0o600);
});
