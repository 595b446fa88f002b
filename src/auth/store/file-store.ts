// The fallback credential store: one JSON object in $TETHER_HOME/.credentials.json, mode 0600, keyed by store key.
import { loginCommand } from "../login-command.ts";
import { chmodSync, readFileSync } from "node:fs";
import { AuthError, TetherError } from "../../errors.ts";
import { dirname } from "node:path";
import { ensureHomeDir, withFileLock, writeFileAtomic } from "../../files/atomic.ts";
import { type CredentialStore, isStoredCredentials, serverNameOfKey, type StoredCredentials } from "./credentials.ts";

/** The file as parsed: entries of any shape, by store key. */
type CredentialFile = Record<string, unknown>;

export interface FileCredentialStoreOptions {
  /** A one-line warning (no trailing newline), e.g. for an entry that is skipped. */
  warn?: (message: string) => void;
}

export class FileCredentialStore implements CredentialStore {
  readonly kind = "file";
  /** Keys already warned about in this run: one warning each, however often they are read. */
  private readonly warned = new Set<string>();

  constructor(
    readonly path: string,
    private readonly options: FileCredentialStoreOptions = {},
  ) {}

  async load(key: string): Promise<StoredCredentials | undefined> {
    // Writers rename a complete file into place, so reading needs no lock.
    const entries = this.read();
    return entries && Object.hasOwn(entries, key) ? this.usable(key, entries[key]) : undefined;
  }

  /**
   * One entry, checked on its own: a malformed entry is skipped with a warning naming its server,
   * so one bad login never makes the others unreadable. An `expiresAt` of null (what JSON made of
   * an Infinity stored by older versions) reads as "expiry unknown".
   */
  private usable(key: string, entry: unknown): StoredCredentials | undefined {
    if (typeof entry === "object" && entry !== null && (entry as { expiresAt?: unknown }).expiresAt === null) {
      const { expiresAt: _, ...rest } = entry as Record<string, unknown>;
      entry = rest;
    }
    if (isStoredCredentials(entry)) return entry;
    if (!this.warned.has(key)) {
      this.warned.add(key);
      this.options.warn?.(
        `warning: the stored login of server "${serverNameOfKey(key)}" in ${this.path} is malformed and was skipped; ${loginCommand(serverNameOfKey(key))}`,
      );
    }
    return undefined;
  }

  async save(key: string, credentials: StoredCredentials): Promise<void> {
    await this.update((entries) => {
      entries[key] = credentials;
      return true;
    });
  }

  async delete(key: string): Promise<boolean> {
    // Most deletes (logout of a keyring user) find nothing here: skip the lock and the write.
    // A malformed entry counts as present: logout is how the user gets rid of it.
    const entries = this.read();
    if (!entries || !Object.hasOwn(entries, key)) return false;
    let existed = false;
    await this.update((entries) => {
      existed = Object.hasOwn(entries, key);
      delete entries[key];
      return existed;
    });
    return existed;
  }

  /** Read-modify-write under the lock; `change` returns false when there is nothing to write. */
  private async update(change: (entries: CredentialFile) => boolean): Promise<void> {
    try {
      await withFileLock(`${this.path}.lock`, () => {
        const entries = this.read() ?? {};
        if (change(entries)) this.write(entries);
      });
    } catch (error) {
      if (error instanceof TetherError) throw error;
      // The lock timed out or its directory is unwritable; neither message holds a secret.
      throw new AuthError(`cannot update the credential file ${this.path}: ${(error as Error).message}`);
    }
  }

  /** The parsed file, or undefined when it does not exist. Its content never reaches an error message. */
  private read(): CredentialFile | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return undefined;
      throw new AuthError(`cannot read the credential file ${this.path} (${code ?? "unknown error"})`, {
        hint: "check its owner and permissions (it should be yours, mode 0600)",
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // No cause: JSON.parse's message quotes the text, which holds tokens.
      throw this.corrupt("is not valid JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw this.corrupt("is not a JSON object");
    // Entries are checked one at a time, when loaded; a write keeps the others exactly as they are.
    return parsed as CredentialFile;
  }

  private write(entries: CredentialFile): void {
    try {
      // The file lives in $TETHER_HOME, which must not stay group- or world-readable.
      ensureHomeDir(dirname(this.path));
      // A new file replaces the old one, so a loosely-permissioned old file ends up 0600.
      writeFileAtomic(this.path, `${JSON.stringify(entries, null, 2)}\n`, 0o600);
      chmodSync(this.path, 0o600); // exactly 0600, whatever the umask took away
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new AuthError(`cannot write the credential file ${this.path} (${code ?? "unknown error"})`, {
        hint: "check that $TETHER_HOME is writable",
      });
    }
  }

  private corrupt(problem: string): AuthError {
    return new AuthError(`the credential file ${this.path} ${problem}`, {
      hint: `move it aside or delete it, then log in again: tether mcp login NAME`,
    });
  }
}
