import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { credentialStoreKey } from "../../src/auth/store/index.ts";

test("the store key is the server name and the first 16 hex chars of sha256(url)", () => {
  const url = "https://api.githubcopilot.com/mcp/";
  const digest = createHash("sha256").update(url).digest("hex");

  expect(credentialStoreKey("github", url)).toBe(`github|${digest.slice(0, 16)}`);
  expect(credentialStoreKey("github", url)).toMatch(/^github\|[0-9a-f]{16}$/);
});

test("a changed URL gives a different key, so old tokens are never reused", () => {
  expect(credentialStoreKey("docs", "https://a.example.com/mcp")).not.toBe(credentialStoreKey("docs", "https://b.example.com/mcp"));
});

test("building a store loads neither the native keyring addon nor the MCP SDK; first keyring use loads the addon", () => {
  const store = new URL("../../src/auth/store/index.ts", import.meta.url).pathname;
  const script = `
    const { createCredentialStore } = await import(${JSON.stringify(store)});
    const heavy = () => Object.keys(require.cache).filter((k) => k.includes("node_modules/@napi-rs") || k.includes("node_modules/@modelcontextprotocol"));
    createCredentialStore("auto", { home: "/nonexistent", notice: () => {} });
    const before = heavy();
    await createCredentialStore("keyring", { home: "/nonexistent", notice: () => {} }).load("x|0").catch(() => {});
    console.log(JSON.stringify({ before, after: heavy().some((k) => k.includes("@napi-rs/keyring")) }));
  `;
  const result = Bun.spawnSync([process.execPath, "-e", script], {
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent-bus" },
  });

  expect(result.stderr.toString()).toBe("");
  expect(JSON.parse(result.stdout.toString())).toEqual({ before: [], after: true });
});
