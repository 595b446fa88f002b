// A private nginx for one test: Debian's nginx in the foreground on a free loopback port, running a
// given nginx.conf (the repository's own, .github/deploy/nginx.conf) with its listen port and
// upstream servers rewritten to loopback ones, and its files kept in a temp prefix. Tests that need
// it skip, saying so, where it is missing (.ci/run installs it).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect } from "node:net";
import { freePort } from "./redis.ts";

export const NGINX: string | undefined = ["/usr/sbin/nginx", spawnSync("sh", ["-c", "command -v nginx"]).stdout?.toString().trim()].find(
  (candidate) => candidate && spawnSync(candidate, ["-v"]).status === 0,
);
export const hasNginx: boolean = NGINX !== undefined;

export interface PrivateNginx {
  url: string;
  port: number;
  /** One line per proxied request: "<upstream address> <status>". */
  upstreamLog(): string[];
  close(): Promise<void>;
}

/** The rewrites, each of which must match, so a changed nginx.conf fails loudly rather than running something else. */
export function rewriteNginxConf(conf: string, options: { port: number; upstreams: Record<string, string>; dir: string }): string {
  const replace = (text: string, pattern: RegExp, replacement: string, what: string) => {
    if (!pattern.test(text)) throw new Error(`nginx.conf: no ${what} to rewrite (${pattern})`);
    return text.replace(pattern, replacement);
  };
  let out = replace(conf, /^(\s*)listen\s+\d+\s*;/m, `$1listen 127.0.0.1:${options.port};`, "listen port");
  for (const [from, to] of Object.entries(options.upstreams)) {
    out = replace(out, new RegExp(`(\\bserver\\s+)${from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=[\\s;])`), `$1${to}`, `upstream server ${from}`);
  }
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `${kind}_temp_path ${path.join(options.dir, kind)};`).join(" ");
  out = replace(
    out,
    /^(\s*)access_log\s+[^;]+;/m,
    `$1log_format upstream '$upstream_addr $status'; access_log ${path.join(options.dir, "upstream.log")} upstream; ${temp}`,
    "access_log",
  );
  return out;
}

export async function startNginx(conf: string, upstreams: Record<string, string>): Promise<PrivateNginx> {
  const dir = mkdtempSync(path.join(tmpdir(), "tether-nginx-"));
  // Workers drop to an unprivileged user when nginx starts as root: they must reach the temp paths.
  chmodSync(dir, 0o755);
  const port = await freePort();
  writeFileSync(path.join(dir, "nginx.conf"), rewriteNginxConf(conf, { port, upstreams, dir }));
  const child: ChildProcess = spawn(
    NGINX!,
    ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", "stderr", "-g", `daemon off; pid ${path.join(dir, "nginx.pid")};`],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${stderr}`);
    if (await accepts(port)) break;
    if (Date.now() > deadline) throw new Error(`nginx did not start on ${port}: ${stderr}`);
    await Bun.sleep(50);
  }
  return {
    url,
    port,
    upstreamLog: () => {
      try {
        return readFileSync(path.join(dir, "upstream.log"), "utf8").split("\n").filter(Boolean);
      } catch {
        return [];
      }
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGQUIT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether something accepts a TCP connection on the loopback port (nginx prints nothing when ready). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}
