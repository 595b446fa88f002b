// The error family every layer throws; cli/run.ts maps them to `error:`/`hint:` lines and exit codes.

export interface ErrorOptions {
  hint?: string;
  cause?: unknown;
}

/** Base class: a failure the user should see as one line, never as a stack trace. */
export class TetherError extends Error {
  readonly exitCode: number = 1;
  readonly hint?: string;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** Bad flags or arguments (exit 2). */
export class UsageError extends TetherError {
  override readonly exitCode = 2;
}

/** Invalid config.toml or config value (exit 2). `file`/`line` locate it when known. */
export class ConfigError extends TetherError {
  override readonly exitCode = 2;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;

  constructor(message: string, options: ErrorOptions & { file?: string; line?: number; column?: number } = {}) {
    super(message, options);
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
  }

  /** `file:line:column` as far as known, for the start of the error line. */
  get location(): string | undefined {
    if (!this.file) return undefined;
    return [this.file, this.line, this.line !== undefined ? this.column : undefined].filter((p) => p !== undefined).join(":");
  }
}

/** A server could not be reached, started or initialized (exit 1). */
export class ConnectionError extends TetherError {
  /** Last stderr lines of a stdio server, shown by doctor and on failure. */
  readonly stderrTail: string[];

  constructor(message: string, options: ErrorOptions & { stderrTail?: string[] } = {}) {
    super(message, options);
    this.stderrTail = options.stderrTail ?? [];
  }
}

/** A tool call failed or returned isError (exit 1). */
export class ToolError extends TetherError {}

/** OAuth login, refresh or credential storage failed (exit 1). */
export class AuthError extends TetherError {}

/** The model API failed (exit 1). */
export class ModelError extends TetherError {}

/** The user interrupted (Ctrl-C) or aborted (exit 130). */
export class CancelledError extends TetherError {
  override readonly exitCode: number = 130;
}

/** SIGTERM from outside (kill, docker stop, systemd): stopped the way Ctrl-C stops, exit 143 (128 + 15). */
export class TerminatedError extends CancelledError {
  override readonly exitCode: number = 143;
}
