// A keyring for tests: the credential store tests drive it, and the test context stands it in for
// the real one where a child process would find no Secret Service.
import type { KeyringBackend } from "../../src/auth/store/keyring-store.ts";

/** An in-memory keyring; `failWith` makes every call throw like a machine without a Secret Service. */
export class FakeKeyring implements KeyringBackend {
  readonly entries = new Map<string, string>();
  calls = 0;
  failWith: string | undefined;

  constructor(options: { failWith?: string } = {}) {
    this.failWith = options.failWith;
  }

  async get(service: string, account: string): Promise<string | undefined> {
    this.check();
    return this.entries.get(`${service}/${account}`);
  }

  async set(service: string, account: string, secret: string): Promise<void> {
    this.check();
    this.entries.set(`${service}/${account}`, secret);
  }

  async delete(service: string, account: string): Promise<boolean> {
    this.check();
    return this.entries.delete(`${service}/${account}`);
  }

  private check(): void {
    this.calls++;
    if (this.failWith) throw new Error(this.failWith);
  }
}
