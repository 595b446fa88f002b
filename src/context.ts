// What a command may touch: streams, environment, clock, network, paths. main.ts builds the real one.

export interface OutputStream {
  write(chunk: string): void;
}

export interface IO {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Reads stdin; absent in contexts that have none. */
  stdin?: NodeJS.ReadableStream;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Colour allowed on stderr/stdout (TTY and no NO_COLOR). */
  color: boolean;
}

export interface Paths {
  /** $TETHER_HOME, default ~/.tether. */
  home: string;
  /** The config file: --config or $TETHER_HOME/config.toml. */
  config: string;
}

export interface Context {
  io: IO;
  env: Readonly<Record<string, string | undefined>>;
  paths: Paths;
  version: string;
  debug: boolean;
  now(): number;
  fetch: typeof fetch;
  /** Opens a URL in the user's browser; resolves even if no opener exists. */
  openUrl(url: string): Promise<void>;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Registers cleanup (kill children, flush telemetry) run once before tether exits, on every path. */
  atExit(cleanup: () => Promise<void> | void): void;
}
