// Run by file-store.test.ts as a separate process: waits for the go file, then saves entries into a home's file store.
import { existsSync } from "node:fs";
import { createCredentialStore, credentialStoreKey } from "../../src/auth/store/index.ts";
import { sampleCredentials } from "./fixtures.ts";

const [home, goFile, ...serverNames] = process.argv.slice(2);
if (!home || !goFile || serverNames.length === 0) throw new Error("usage: save-in-process.ts HOME GO_FILE SERVER_NAME...");
// A barrier, so the processes really do write at the same moment instead of one after another as they boot.
while (!existsSync(goFile)) await Bun.sleep(2);
const store = createCredentialStore("file", { home, notice: () => {} });
for (const serverName of serverNames) {
  const credentials = sampleCredentials(serverName);
  await store.save(credentialStoreKey(serverName, credentials.serverUrl), credentials);
}
