// Upstream OAuth credentials in the shared state: what one replica saves (a rotated refresh token)
// is what another loads, sealed so Redis never holds a token in the clear.
import { describe, expect, test } from "bun:test";
import type { CredentialStore, StoredCredentials } from "../../../src/auth/store/credentials.ts";
import { RedisCredentialStore } from "../../../src/serve/state/credentials.ts";
import { hasRedisServer } from "../../support/redis.ts";
import { redisForFile } from "../../support/shared-state.ts";
import { eventually } from "../../support/wait.ts";

const shared = redisForFile("credentials.test.ts");

const KEY = "github|0123456789abcdef";
const STATE_KEY = new Uint8Array(32).fill(7);

function login(refresh: string): StoredCredentials {
  return {
    serverName: "github",
    serverUrl: "https://mcp.example/",
    clientInformation: { client_id: "client-1", client_secret: "client-secret-value" },
    tokens: { access_token: `access-of-${refresh}`, token_type: "Bearer", refresh_token: refresh },
    expiresAt: 1_900_000_000_000,
    savedAt: 1_800_000_000_000,
  };
}

/** One replica's store over its own connection to the shared Redis. */
async function replica(prefix: string, stateKey: Uint8Array = STATE_KEY, options: ConstructorParameters<typeof RedisCredentialStore>[2] = {}) {
  const state = await shared.open(prefix);
  return { state, store: new RedisCredentialStore(state, stateKey, options) };
}

/** A keyring-like store in memory, standing for where `tether mcp login` put the operator's login. */
function seedWith(entries: Record<string, StoredCredentials>): CredentialStore & { saved: number } {
  return {
    kind: "file",
    saved: 0,
    load: async (key) => entries[key],
    async save() {
      this.saved++;
    },
    delete: async () => false,
  };
}

describe.if(hasRedisServer)("RedisCredentialStore", () => {
  test("a token rotated on one replica is what another loads; Redis holds no token, secret or server URL in the clear", async () => {
    const a = await replica("c1:");
    const b = await replica("c1:");
    await a.store.save(KEY, login("refresh-1"));
    expect(await b.store.load(KEY)).toEqual(login("refresh-1"));
    await b.store.save(KEY, login("refresh-2-rotated"));
    expect((await a.store.load(KEY))?.tokens?.refresh_token).toBe("refresh-2-rotated");

    const keys = ((await a.state.redis.send("KEYS", ["c1:*"])) as string[]).filter((key) => !key.includes(":replica:")); // not the replicas' heartbeats
    expect(keys).toEqual([`c1:cred:${KEY}`]);
    const raw = (await a.state.redis.get(keys[0]!))!;
    for (const secret of ["refresh-2-rotated", "access-of-refresh-2-rotated", "client-secret-value", "mcp.example", "Bearer"]) {
      expect(raw).not.toContain(secret);
      expect(Buffer.from(raw, "base64").toString("latin1")).not.toContain(secret);
    }
  });

  test("a replica with another state key reads nothing (and says so once, without secrets); an entry moved to another key does not open", async () => {
    const a = await replica("c2:");
    const warnings: string[] = [];
    const stranger = await replica("c2:", new Uint8Array(32).fill(9), { warn: (m) => warnings.push(m) });
    await a.store.save(KEY, login("refresh-x"));
    expect(await stranger.store.load(KEY)).toBeUndefined();
    expect(await stranger.store.load(KEY)).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('server "github"');
    expect(warnings[0]).toContain("--state-key-env-var");
    expect(warnings[0]).not.toContain("refresh-x");

    const other = "gitlab|fedcba9876543210";
    await a.state.redis.set(`c2:cred:${other}`, (await a.state.redis.get(`c2:cred:${KEY}`))!);
    expect(await a.store.load(other)).toBeUndefined();
  });

  test("the operator's own login seeds Redis once; a rotated token in Redis wins over the seed; delete leaves the seed alone", async () => {
    const seed = seedWith({ [KEY]: login("refresh-seed") });
    const a = await replica("c3:", STATE_KEY, { seed });
    const b = await replica("c3:", STATE_KEY, { seed });
    expect((await a.store.load(KEY))?.tokens?.refresh_token).toBe("refresh-seed");
    await a.store.save(KEY, login("refresh-rotated"));
    expect((await b.store.load(KEY))?.tokens?.refresh_token).toBe("refresh-rotated");
    expect(seed.saved).toBe(0);
    expect(await b.store.delete(KEY)).toBe(true);
    expect(await b.store.delete(KEY)).toBe(false);
    expect(await b.store.load("nobody|0000000000000000")).toBeUndefined();
  });

  test("the refresh lock is held by one replica at a time", async () => {
    const a = await replica("c4:");
    const b = await replica("c4:");
    const order: string[] = [];
    let releaseA!: () => void;
    const heldA = new Promise<void>((resolve) => (releaseA = resolve));
    let enteredA!: () => void;
    const inA = new Promise<void>((resolve) => (enteredA = resolve));
    const first = a.store.withRefreshLock(KEY, async () => {
      enteredA();
      order.push("a in");
      await heldA;
      order.push("a out");
    });
    await inA;
    const second = b.store.withRefreshLock(KEY, async () => void order.push("b in"));
    await Bun.sleep(200);
    expect(order).toEqual(["a in"]);
    releaseA();
    await Promise.all([first, second]);
    expect(order).toEqual(["a in", "a out", "b in"]);
    // An error in fn passes through and the lock is free again.
    await expect(a.store.withRefreshLock(KEY, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await b.store.withRefreshLock(KEY, async () => "free")).toBe("free");
  });
});

describe.if(hasRedisServer)("RedisCredentialStore with Redis away", () => {
  test("loading is an error naming the server and the shared state, without the token or the Redis address; back once Redis is", async () => {
    const { state, store } = await replica("c5:");
    await store.save(KEY, login("refresh-away"));
    await shared.redis.stop();
    try {
      const error = await Promise.race([store.load(KEY).catch((e: unknown) => e), Bun.sleep(30_000).then(() => "hung")]);
      expect(String(error)).toMatch(/server "github": its login is kept in the shared state \(--state\), which is unreachable/);
      expect(String(error)).not.toContain(String(shared.redis.port));
    } finally {
      await shared.redis.start();
    }
    await eventually(() => state.redis.connected);
    // A private redis-server keeps nothing over a restart (no persistence): the entry is gone, the store works.
    expect(await store.load(KEY).catch((e: unknown) => e)).toBeUndefined();
  }, 60_000);
});
