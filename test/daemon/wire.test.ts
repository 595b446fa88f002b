// The daemon's files and wire, without a daemon: where the socket goes (and where it goes when
// the path would be too long to bind), the bound on a message, errors that keep their class, and
// what restarts a server (its fingerprint).
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Context } from "../../src/context.ts";
import type { ServerConfig } from "../../src/config/types.ts";
import { ConfigError, ConnectionError, ToolError, UsageError } from "../../src/errors.ts";
import { DaemonClient } from "../../src/daemon/connection.ts";
import { type DaemonListener, listenDaemon } from "../../src/daemon/listen.ts";
import { serverFingerprint } from "../../src/daemon/fingerprint.ts";
import { daemonKey, MAX_SOCKET_PATH_BYTES } from "../../src/daemon/key.ts";
import { daemonFiles, ensureOwnDir } from "../../src/daemon/paths.ts";
import { encodeLine, fromWireError, readLines, toWireError } from "../../src/daemon/protocol.ts";
import { createTestContext } from "../support/context.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tether-daemon-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const paths = (home: string) => ({ home, config: join(home, "config.toml"), userHome: dir });

describe("files", () => {
  test("one key per config file, the socket in $TETHER_HOME/daemon", () => {
    const files = daemonFiles({ paths: paths(join(dir, ".tether")), env: {} }, "linux");
    expect(files.key).toBe(daemonKey(join(dir, ".tether", "config.toml")));
    expect(files.key).toMatch(/^[0-9a-f]{16}$/);
    expect(files.socket).toBe(join(dir, ".tether", "daemon", `${files.key}.sock`));
    expect(daemonFiles({ paths: { ...paths(join(dir, ".tether")), config: join(dir, "other.toml") }, env: {} }, "linux").key).not.toBe(files.key);
  });

  test("a socket path too long to bind moves to $XDG_RUNTIME_DIR/tether, or /tmp/tether-<uid>", () => {
    const deep = join(dir, "x".repeat(MAX_SOCKET_PATH_BYTES));
    const runtime = join(dir, "run");
    const files = daemonFiles({ paths: paths(deep), env: { XDG_RUNTIME_DIR: runtime } }, "linux");
    expect(files.socket).toBe(join(runtime, "tether", `${files.key}.sock`));
    expect(files.meta.startsWith(deep)).toBe(true);
    expect(daemonFiles({ paths: paths(deep), env: {} }, "linux").socket).toBe(`/tmp/tether-${process.getuid!()}/${files.key}.sock`);
  });

  test("Windows: a named pipe", () => {
    const files = daemonFiles({ paths: paths(dir), env: {} }, "win32");
    expect(files.socket).toBe(`\\\\.\\pipe\\tether-${files.key}`);
  });

  test("the socket's directory is made 0700, and a looser one is tightened", () => {
    const own = join(dir, "own");
    ensureOwnDir(own);
    expect(statSync(own).mode & 0o777).toBe(0o700);
    Bun.spawnSync(["chmod", "0755", own]);
    ensureOwnDir(own);
    expect(statSync(own).mode & 0o777).toBe(0o700);
  });
});

describe("someone else's directory", () => {
  // Only root can hand a directory to another user; elsewhere this case cannot be set up.
  test.skipIf(process.getuid?.() !== 0)("a socket directory owned by another user is refused, not used", () => {
    const theirs = join(dir, "theirs");
    ensureOwnDir(theirs);
    Bun.spawnSync(["chown", "65534", theirs]);
    expect(() => ensureOwnDir(theirs)).toThrow(`${theirs} is not a directory owned by this user; tether will not put its keep-alive socket there`);
  });
});

describe("wire", () => {
  let server: DaemonListener | undefined;
  afterEach(() => server?.close());

  /** The daemon's listener, its first connection's lines (bounded by `max`) collected. */
  async function listen(max: number): Promise<{ path: string; messages: unknown[]; errors: string[] }> {
    const path = join(dir, "s.sock");
    const got = { path, messages: [] as unknown[], errors: [] as string[] };
    server = await listenDaemon(path, (connection) => readLines(connection, (m) => got.messages.push(m), (e) => got.errors.push(e.message), max));
    return got;
  }

  test("lines split across writes arrive whole; a line over the bound ends the connection", async () => {
    const got = await listen(64);
    const socket = connect(got.path);
    await new Promise((resolve) => socket.once("connect", resolve));
    const line = encodeLine({ id: 1, method: "status" });
    socket.write(line.slice(0, 5));
    await Bun.sleep(20);
    socket.write(line.slice(5) + encodeLine({ id: 2, method: "status" }));
    await Bun.sleep(20);
    socket.write(JSON.stringify({ id: 3, pad: "x".repeat(100) }));
    const closed = new Promise((resolve) => socket.once("close", resolve));
    await closed;
    expect(got.messages).toEqual([
      { id: 1, method: "status" },
      { id: 2, method: "status" },
    ]);
    expect(got.errors).toEqual(["a keep-alive message was longer than 64 bytes, the most tether reads on its socket"]);
  });

  test("connecting where nothing listens is no connection", async () => {
    expect(await DaemonClient.connect(join(dir, "none.sock"), 500)).toBeUndefined();
    const stale = join(dir, "stale.sock");
    const listener = createServer();
    await new Promise<void>((resolve) => listener.listen(stale, resolve));
    // A socket file whose listener is gone (the listener keeps the file here): refused, no connection.
    await new Promise((resolve) => listener.close(resolve));
    Bun.spawnSync(["touch", stale]);
    expect(await DaemonClient.connect(stale, 500)).toBeUndefined();
  });

  test("errors keep their class (and so the exit code), hint and stderr", () => {
    const back = (error: Error) => fromWireError(toWireError(error));
    const usage = back(new UsageError("bad", { hint: "do this" }));
    expect(usage).toBeInstanceOf(UsageError);
    expect([usage.message, usage.hint, usage.exitCode]).toEqual(["bad", "do this", 2]);
    expect(back(new ConfigError("cfg")).exitCode).toBe(2);
    expect(back(new ToolError("tool"))).toBeInstanceOf(ToolError);
    const connection = back(new ConnectionError("gone", { stderrTail: ["last words"] })) as ConnectionError;
    expect(connection.stderrTail).toEqual(["last words"]);
    expect(back(new Error("plain")).message).toBe("plain");
  });
});

describe("fingerprint", () => {
  const ctx = (env: Record<string, string>, cwd = dir) => createTestContext({ env, cwd }) as Context;
  const stdio = (extra: Partial<ServerConfig> = {}) =>
    ({ name: "fx", transport: "stdio", command: "fx", args: ["${ARG:-a}"], env: { TOKEN: "${TOKEN:-none}" }, envVars: [], enabled: true, ...extra }) as ServerConfig;
  const http = { name: "web", transport: "http", url: "https://example.test/${PATH_PART:-mcp}", httpHeaders: {}, envHttpHeaders: { "X-Key": "KEY" }, oauth: {} } as unknown as ServerConfig;

  test("changes with what the server's environment resolves to, not with anything else", () => {
    const base = serverFingerprint(ctx({ PATH: "/bin" }), stdio());
    expect(serverFingerprint(ctx({ PATH: "/bin", UNRELATED: "1", TERM: "xterm" }), stdio())).toBe(base);
    expect(serverFingerprint(ctx({ PATH: "/bin", TOKEN: "t" }), stdio())).not.toBe(base);
    expect(serverFingerprint(ctx({ PATH: "/bin", ARG: "b" }), stdio())).not.toBe(base);
    expect(serverFingerprint(ctx({ PATH: "/usr/bin" }), stdio())).not.toBe(base);
    expect(serverFingerprint(ctx({ PATH: "/bin" }), stdio({ toolTimeoutSec: 5 }))).not.toBe(base);
    // A server without cwd keeps running where it started; with a relative one, the directory counts.
    expect(serverFingerprint(ctx({ PATH: "/bin" }, tmpdir()), stdio())).toBe(base);
    const relative = serverFingerprint(ctx({ PATH: "/bin" }), stdio({ cwd: "sub" } as Partial<ServerConfig>));
    expect(serverFingerprint(ctx({ PATH: "/bin" }, tmpdir()), stdio({ cwd: "sub" } as Partial<ServerConfig>))).not.toBe(relative);
  });

  test("HTTP: the expanded URL and header values count; the values never appear in it", () => {
    const base = serverFingerprint(ctx({ KEY: "secret-1" }), http);
    expect(base).not.toContain("secret");
    expect(serverFingerprint(ctx({ KEY: "secret-2" }), http)).not.toBe(base);
    expect(serverFingerprint(ctx({ KEY: "secret-1", PATH_PART: "v2" }), http)).not.toBe(base);
    expect(serverFingerprint(ctx({ KEY: "secret-1", OTHER: "x" }), http)).toBe(base);
  });
});
