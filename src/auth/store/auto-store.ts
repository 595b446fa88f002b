// The auto credential store: the OS keyring while it works, else the 0600 file for the rest of the process.
import type { CredentialStore, StoredCredentials } from "./credentials.ts";
import type { FileCredentialStore } from "./file-store.ts";
import { type KeyringCredentialStore, KeyringUnavailableError } from "./keyring-store.ts";

export interface AutoCredentialStoreOptions {
  /** Told once, at the first save that goes to the file instead of the keyring. */
  notice: (message: string) => void;
  debug?: (message: string) => void;
}

export class AutoCredentialStore implements CredentialStore {
  private unavailable: KeyringUnavailableError | undefined;
  private noticeShown = false;

  constructor(
    private readonly keyring: KeyringCredentialStore,
    private readonly file: FileCredentialStore,
    private readonly options: AutoCredentialStoreOptions,
  ) {}

  get kind(): "keyring" | "file" {
    return this.unavailable ? "file" : "keyring";
  }

  async load(key: string): Promise<StoredCredentials | undefined> {
    if (!this.unavailable) {
      try {
        const found = await this.keyring.load(key);
        if (found) return found;
      } catch (error) {
        this.fallBack(error);
      }
    }
    // Also when the keyring works: an earlier run may have fallen back and saved here.
    return this.file.load(key);
  }

  async save(key: string, credentials: StoredCredentials): Promise<void> {
    if (!this.unavailable) {
      try {
        await this.keyring.save(key, credentials);
        await this.dropFileCopy(key);
        return;
      } catch (error) {
        this.fallBack(error);
      }
    }
    await this.file.save(key, credentials);
    this.showNoticeOnce();
  }

  async delete(key: string): Promise<boolean> {
    let inKeyring = false;
    try {
      inKeyring = await this.keyring.delete(key);
    } catch (error) {
      if (!(error instanceof KeyringUnavailableError)) throw error;
      this.debug(`keyring delete of ${key} skipped: ${error.reason}`);
    }
    const inFile = await this.file.delete(key);
    return inKeyring || inFile;
  }

  /** Remembers a keyring failure; anything else is a real error and propagates. */
  private fallBack(error: unknown): void {
    if (!(error instanceof KeyringUnavailableError)) throw error;
    this.unavailable = error;
    this.debug(`keyring unavailable, using ${this.file.path}: ${error.reason}`);
  }

  /** Once the keyring holds the entry, an older fallback copy in the file is only a stale secret. */
  private async dropFileCopy(key: string): Promise<void> {
    try {
      await this.file.delete(key);
    } catch (error) {
      this.debug(`could not remove the file copy of ${key}: ${(error as Error).message}`);
    }
  }

  private showNoticeOnce(): void {
    if (this.noticeShown || !this.unavailable) return;
    this.noticeShown = true;
    this.options.notice(
      `note: no OS keyring available (${this.unavailable.reason}); storing OAuth credentials in ${this.file.path} (mode 0600)`,
    );
  }

  private debug(message: string): void {
    this.options.debug?.(message);
  }
}
