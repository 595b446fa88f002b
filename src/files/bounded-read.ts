// Reading a file tether is pointed at (config.toml, another app's config, a key file) without
// trusting it: a regular file only, opened without blocking (a FIFO would wait forever for a
// writer), checked with fstat on the open descriptor, and read no further than a cap.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { ConfigError } from "../errors.ts";

export interface BoundedReadOptions {
  maxBytes: number;
  /** How the cap is named in the error, e.g. "the config size limit". */
  limitName: string;
  notAFileHint?: string;
  tooBigHint?: string;
}

/** The file's text, or undefined when it does not exist; anything else unreadable is a ConfigError. */
export function readBoundedText(path: string, options: BoundedReadOptions): string | undefined {
  const { maxBytes } = options;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new ConfigError(`cannot read ${path} (${code ?? String(error)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new ConfigError(`${path} is not a regular file (${fileKind(stat)})`, { hint: options.notAFileHint });
    const tooBig = () => new ConfigError(`${path} is larger than ${maxBytes} bytes (${options.limitName})`, { hint: options.tooBigHint });
    if (stat.size > maxBytes) throw tooBig();
    // Read one byte past the cap: a file that grew since fstat is caught too.
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > maxBytes) throw tooBig();
      if (length === buffer.length) break;
    }
    return buffer.toString("utf8", 0, length);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read ${path} (${code ?? String(error)})`);
  } finally {
    closeSync(fd);
  }
}

function fileKind(stat: Stats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a named pipe";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isSocket()) return "a socket";
  return "not a file";
}
