// The HTTP front of `tether mcp serve --http` against hostile or careless peers: refusals answered
// on the headers and the connection closed unread (401, 403, 413), the body deadline (408), the
// per-peer cap (429), and a serve limited to 1,024 descriptors still answering its client while
// 1,100 unauthenticated sockets trickle bodies at it.
import { expect, test } from "bun:test";
import net from "node:net";
import { writeConfig } from "../support/config.ts";
import { connectHttp, servePerTest } from "./harness.ts";

const serve = servePerTest();
const TOKEN = "front-test-token-0123456789abcdef";
const withToken = ["--token-env-var", "SERVE_TOKEN"];
const env = { SERVE_TOKEN: TOKEN };

async function start(args: string[] = [], prefix?: string[]) {
  writeConfig(serve.home.configPath, { servers: {} });
  return serve.http([...withToken, ...args], env, { prefix });
}

interface RawAnswer {
  status: number;
  headers: string;
  /** The server closed the connection (before the test gave up). */
  closed: boolean;
}

/**
 * Sends `head` (request line and headers) and no body, then waits up to `waitMs` for an answer
 * and for the server to close the connection.
 */
function rawRequest(port: number, head: string, waitMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let received = "";
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
      resolve({ status, headers: received.split("\r\n\r\n")[0] ?? "", closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("end", () => finish(true));
    socket.on("close", () => finish(true));
    socket.on("error", reject);
    socket.write(head);
  });
}

/** The status of a 2025 `ping` POSTed with these headers (a browser's Origin, a token). */
const ping = (url: string, headers: Record<string, string>) =>
  fetch(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  }).then((r) => r.status);

/** Whether `check` came true within `ms` (polled): a loose bound, never a timing assertion. */
async function until(check: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await Bun.sleep(100);
  }
  return false;
}

const postHead = (port: number, headers: Record<string, string>, length: number) =>
  `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
  Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("") +
  `Content-Length: ${length}\r\n\r\n`;

test("refusals are answered on the headers and the connection closed without waiting for the body", async () => {
  const served = await start();
  const port = Number(new URL(served.url).port);
  const auth = { Authorization: `Bearer ${TOKEN}` };

  const noToken = await rawRequest(port, postHead(port, {}, 1_000_000));
  expect(noToken).toMatchObject({ status: 401, closed: true });
  expect(noToken.headers).toContain('WWW-Authenticate: Bearer realm="tether"');
  expect((await rawRequest(port, postHead(port, { Authorization: "Bearer wrong" }, 1_000))).status).toBe(401);
  expect(await rawRequest(port, postHead(port, { ...auth, Origin: "http://evil.example" }, 1_000))).toMatchObject({ status: 403, closed: true });
  expect(await rawRequest(port, postHead(port, auth, 5 * 1024 * 1024))).toMatchObject({ status: 413, closed: true });
  expect(served.stderr()).not.toContain(TOKEN);
}, 60_000);

test("an allowed body that does not arrive within --body-timeout gets 408 and the connection closed", async () => {
  const served = await start(["--body-timeout", "1"]);
  const port = Number(new URL(served.url).port);
  const answer = await rawRequest(port, `${postHead(port, { Authorization: `Bearer ${TOKEN}` }, 100)}{"jsonrpc"`);
  expect(answer).toMatchObject({ status: 408, closed: true });
  // The next client is served as usual.
  const client = await connectHttp(served.url, "legacy", { authorization: `Bearer ${TOKEN}` });
  await client.ping();
  await client.close();
}, 60_000);

test("--allow-origin lets a named browser origin in; other origins, other localhost ports included, stay out", async () => {
  const served = await start(["--allow-origin", "https://app.example.com", "--allow-origin", "http://localhost:5173,http://other.example"]);
  const port = Number(new URL(served.url).port);
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const from = (origin: string) => ping(served.url, { ...auth, origin });
  expect(await from("https://app.example.com")).toBe(200);
  expect(await from("http://localhost:5173")).toBe(200);
  expect(await from("http://other.example")).toBe(200);
  expect(await from(`http://localhost:${port}`)).toBe(200);
  expect(await from("http://localhost:5174")).toBe(403);
  expect(await from("https://app.example.com.evil.example")).toBe(403);
}, 60_000);

test("--max-connections-per-peer: one request over the cap is refused (429) while the others stay open", async () => {
  const served = await start(["--max-connections-per-peer", "2", "--body-timeout", "20"]);
  const port = Number(new URL(served.url).port);
  const auth = { Authorization: `Bearer ${TOKEN}` };
  // Two requests whose bodies never come hold their connections (until the body deadline).
  const holders = [1, 2].map(() => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("error", () => {});
    socket.write(postHead(port, auth, 100));
    return socket;
  });
  try {
    // Once serve has counted both (their headers are in), a third request is refused.
    expect(await until(async () => (await ping(served.url, auth)) === 429)).toBe(true);
  } finally {
    for (const socket of holders) socket.destroy();
  }
  // Their slots are given back when they go.
  expect(await until(async () => (await ping(served.url, auth)) === 200)).toBe(true);
}, 60_000);

test("1,100 unauthenticated slow-body sockets against a serve limited to 1,024 descriptors: an authorized ping is answered", async () => {
  const served = await start([], ["sh", "-c", 'ulimit -n 1024 && exec "$0" "$@"']);
  const port = Number(new URL(served.url).port);
  const sockets: net.Socket[] = [];
  let refused = 0;
  const trickle = setInterval(() => {
    for (const socket of sockets) if (!socket.destroyed) socket.write("x");
  }, 500);
  try {
    await Promise.all(
      Array.from({ length: 1_100 }, () =>
        new Promise<void>((resolve) => {
          const socket = net.connect(port, "127.0.0.1", () => {
            socket.write(postHead(port, {}, 1_000_000));
            resolve();
          });
          socket.setEncoding("latin1");
          socket.on("data", (chunk: string) => void (chunk.startsWith("HTTP/1.1 401") && refused++));
          socket.on("error", () => resolve());
          sockets.push(socket);
        }),
      ),
    );
    const client = await connectHttp(served.url, "legacy", { authorization: `Bearer ${TOKEN}` });
    await client.ping();
    await client.close();
    // Each was refused on its headers, not left to trickle.
    expect(await until(async () => refused > 1_000)).toBe(true);
  } finally {
    clearInterval(trickle);
    for (const socket of sockets) socket.destroy();
  }
}, 60_000);
