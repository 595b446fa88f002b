import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCredentialStore, credentialStoreKey } from "../../src/auth/store/index.ts";
import { AuthError } from "../../src/errors.ts";
import { ACCESS_TOKEN, REFRESH_TOKEN, sampleCredentials, tempHome } from "./fixtures.ts";

let home: string;
let cleanup: () => void;
let file: string;

beforeEach(() => {
  ({ home, cleanup } = tempHome());
  file = join(home, ".credentials.json");
});
afterEach(() => cleanup());

const fileStore = () => createCredentialStore("file", { home, notice: () => {} });
const keyOf = (name: string) => credentialStoreKey(name, sampleCredentials(name).serverUrl);

describe("file credential store", () => {
  test("saves, loads and deletes an entry", async () => {
    const store = fileStore();
    const key = keyOf("docs");
    expect(store.kind).toBe("file");
    expect(await store.load(key)).toBeUndefined();

    await store.save(key, sampleCredentials("docs"));
    expect(await store.load(key)).toEqual(sampleCredentials("docs"));
    expect(await fileStore().load(key)).toEqual(sampleCredentials("docs"));

    expect(await store.delete(key)).toBe(true);
    expect(await store.load(key)).toBeUndefined();
    expect(await store.delete(key)).toBe(false);
  });

  test("creates the home 0700 and the file 0600, a JSON object keyed by store key", async () => {
    await fileStore().save(keyOf("docs"), sampleCredentials("docs"));

    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8")))).toEqual([keyOf("docs")]);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  test("tightens a loosely-permissioned existing file to 0600 on write", async () => {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(file, "{}\n");
    chmodSync(file, 0o644);

    await fileStore().save(keyOf("docs"), sampleCredentials("docs"));

    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test("keeps entries of different servers side by side", async () => {
    const store = fileStore();
    await store.save(keyOf("docs"), sampleCredentials("docs"));
    await store.save(keyOf("github"), sampleCredentials("github"));

    expect(await store.load(keyOf("docs"))).toEqual(sampleCredentials("docs"));
    expect(await store.load(keyOf("github"))).toEqual(sampleCredentials("github"));
    await store.delete(keyOf("docs"));
    expect(await store.load(keyOf("github"))).toEqual(sampleCredentials("github"));
  });

  test("concurrent saves from several async callers all land", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `server-${i}`);
    await Promise.all(names.map((name) => createCredentialStore("file", { home, notice: () => {} }).save(keyOf(name), sampleCredentials(name))));

    const saved = JSON.parse(readFileSync(file, "utf8"));
    expect(Object.keys(saved).sort()).toEqual(names.map(keyOf).sort());
  });

  test("concurrent saves from 5 separate processes all land", async () => {
    const perProcess = (p: number) => Array.from({ length: 4 }, (_, i) => `proc-${p}-${i}`);
    const script = join(import.meta.dir, "save-in-process.ts");
    const goFile = join(home, "..", "go");
    const children = [0, 1, 2, 3, 4].map((p) =>
      Bun.spawn([process.execPath, script, home, goFile, ...perProcess(p)], { stdout: "pipe", stderr: "pipe" }),
    );
    writeFileSync(goFile, "");
    const results = await Promise.all(
      children.map(async (child) => ({ code: await child.exited, stderr: await new Response(child.stderr).text() })),
    );

    expect(results).toEqual(children.map(() => ({ code: 0, stderr: "" })));
    const names = [0, 1, 2, 3, 4].flatMap(perProcess);
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8"))).sort()).toEqual(names.map(keyOf).sort());
    const store = fileStore();
    for (const name of names) expect(await store.load(keyOf(name))).toEqual(sampleCredentials(name));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test("a corrupt file is an AuthError naming the file, never echoing its content", async () => {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const content = `{"docs|0123": {"tokens": {"access_token": "${ACCESS_TOKEN}", "refresh_token": "${REFRESH_TOKEN}"`;
    writeFileSync(file, content, { mode: 0o600 });
    const store = fileStore();

    for (const attempt of [() => store.load(keyOf("docs")), () => store.save(keyOf("docs"), sampleCredentials("docs"))]) {
      const error = await attempt().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      const shown = `${(error as AuthError).message}\n${(error as AuthError).hint}\n${String((error as Error).cause ?? "")}`;
      expect((error as AuthError).message).toBe(`the credential file ${file} is not valid JSON`);
      expect(shown).not.toContain(ACCESS_TOKEN);
      expect(shown).not.toContain(REFRESH_TOKEN);
      expect(shown).not.toContain("docs|0123");
    }
    expect(readFileSync(file, "utf8")).toBe(content); // a failed save leaves the user's file alone
  });

  test("an entry of the wrong shape is skipped with one warning naming its server; the others load and survive writes", async () => {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const good = keyOf("good");
    writeFileSync(file, JSON.stringify({ "docs|abc": { tokens: ACCESS_TOKEN }, [good]: sampleCredentials("good") }), { mode: 0o600 });
    const notices: string[] = [];
    const store = createCredentialStore("file", { home, notice: (m) => notices.push(m) });

    expect(await store.load("docs|abc")).toBeUndefined();
    expect(await store.load("docs|abc")).toBeUndefined();
    expect(notices).toEqual([
      `warning: the stored login of server "docs" in ${file} is malformed and was skipped; run: tether mcp login docs`,
    ]);
    expect(notices.join("")).not.toContain(ACCESS_TOKEN);
    expect(await store.load(good)).toEqual(sampleCredentials("good"));

    await store.save(keyOf("other"), sampleCredentials("other"));
    expect(JSON.parse(readFileSync(file, "utf8"))["docs|abc"]).toEqual({ tokens: ACCESS_TOKEN });
    expect(await store.delete("docs|abc")).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8"))).sort()).toEqual([good, keyOf("other")].sort());
  });

  test("an expiresAt of null (an Infinity written by an older tether) reads as an unknown expiry", async () => {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const key = keyOf("docs");
    writeFileSync(file, JSON.stringify({ [key]: { ...sampleCredentials("docs"), expiresAt: null } }), { mode: 0o600 });
    const { expiresAt: _, ...expected } = sampleCredentials("docs");
    expect(await fileStore().load(key)).toEqual(expected);
  });
});
