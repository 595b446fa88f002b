// The real KeyringBackend: @napi-rs/keyring, imported on first use so the native addon loads only when needed.
import type { KeyringBackend } from "./keyring-store.ts";

type NapiKeyring = typeof import("@napi-rs/keyring");

/**
 * On Linux, entries are pinned to the Secret Service: the library's default would otherwise fall
 * back to the kernel keyring, which forgets everything at reboot, and would hide a missing
 * Secret Service that the auto store should answer with the 0600 file instead.
 */
const ENTRY_OPTIONS = { linux: { store: "secret-service" } } as const;

export function loadNapiKeyringBackend(): KeyringBackend {
  let module: Promise<NapiKeyring> | undefined;
  const entry = async (service: string, account: string) => {
    module ??= import("@napi-rs/keyring");
    const { AsyncEntry } = await module;
    return new AsyncEntry(service, account, ENTRY_OPTIONS);
  };
  return {
    get: async (service, account) => (await entry(service, account)).getPassword(),
    set: async (service, account, secret) => (await entry(service, account)).setPassword(secret),
    delete: async (service, account) => (await entry(service, account)).deleteCredential(),
  };
}
