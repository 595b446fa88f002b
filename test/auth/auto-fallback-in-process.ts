// Run by real-keyring-fallback.test.ts with no reachable D-Bus: saves one entry through the auto store
// over the real @napi-rs/keyring backend and prints what happened as JSON.
import { createCredentialStore, credentialStoreKey } from "../../src/auth/store/index.ts";
import { sampleCredentials } from "./fixtures.ts";

const [home] = process.argv.slice(2);
if (!home) throw new Error("usage: auto-fallback-in-process.ts HOME");
const notices: string[] = [];
const store = createCredentialStore("auto", { home, notice: (message) => notices.push(message) });
const credentials = sampleCredentials("docs");
const key = credentialStoreKey("docs", credentials.serverUrl);
await store.save(key, credentials);
await store.save(key, { ...credentials, savedAt: credentials.savedAt + 1 });
const loaded = await store.load(key);
console.log(JSON.stringify({ kind: store.kind, notices, savedAt: loaded?.savedAt }));
