// Only web URLs are ever opened (issue 10, item 9), with the URL as one argument on every platform.
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { isOpenableUrl, openerCommand } from "../../src/cli/open-url.ts";
import { homePerTest, runTether } from "../support/cli.ts";
import { startHttpFixture } from "../support/fixture.ts";
import { writeConfig } from "../cli/oauth-driver.ts";

describe("the opener's argument vector", () => {
  const url = "https://auth.example/authorize?a=1&b=2|3^4&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback";
  test("each platform gets the URL as one argument, and Windows never goes through cmd", () => {
    expect(openerCommand(url, "darwin")).toEqual(["open", [url]]);
    expect(openerCommand(url, "linux")).toEqual(["xdg-open", [url]]);
    expect(openerCommand(url, "win32")).toEqual(["rundll32", ["url.dll,FileProtocolHandler", url]]);
  });

  test("only https, and http to loopback, are openable", () => {
    expect(isOpenableUrl("https://auth.example/authorize")).toBe(true);
    expect(isOpenableUrl("http://127.0.0.1:8080/authorize")).toBe(true);
    expect(isOpenableUrl("http://localhost/authorize")).toBe(true);
    for (const bad of ["http://auth.example/authorize", "file:///etc/passwd", "smb://host/share", "javascript:alert(1)", "data:text/html,x", "not a url"]) {
      expect(isOpenableUrl(bad)).toBe(false);
    }
  });
});

describe("mcp login with a hostile authorization_endpoint", () => {
  const each = homePerTest();
  const fixtures = each.fixtures;

  /** Runs `mcp login o` (browser on) with a recording xdg-open on PATH; returns the run and whether the opener ran. */
  async function loginWith(endpoint: string) {
    const fx = await startHttpFixture(["--oauth", "--authorization-endpoint", endpoint]);
    fixtures.push(fx);
    writeConfig(each.home.tetherHome, `mcp_oauth_credentials_store = "file"\n\n[mcp_servers.o]\nurl = "${fx.url}"\n`);
    const bin = join(each.home.home, "bin");
    const opened = join(each.home.home, "opened-url");
    await Bun.write(join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    await Bun.$`chmod +x ${join(bin, "xdg-open")}`;
    const result = await runTether(["mcp", "login", "o"], { home: each.home.home, env: { PATH: `${bin}:${process.env.PATH}`, TETHER_LOGIN_TIMEOUT_SEC: "5" } });
    return { result, opened: existsSync(opened) };
  }

  for (const [endpoint, scheme] of [["file:///etc/passwd", "file:"], ["smb://host/share", "smb:"]]) {
    test(`${scheme} is refused with a clear error and never opened`, async () => {
      const { result, opened } = await loginWith(endpoint!);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`error: the authorization server of "o" sent a login URL that is not https (${scheme}); it was not opened\n`);
      expect(result.stderr).not.toContain(endpoint!);
      expect(opened).toBe(false);
    });
  }

  test("javascript: is refused with the reason, not a bare '['", async () => {
    const { result, opened } = await loginWith("javascript:alert(1)");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: OAuth login to "o" failed: invalid answer from the authorization server (authorization_endpoint: URL cannot use javascript:, data:, or vbscript: scheme)\n',
    );
    expect(opened).toBe(false);
  });
});
