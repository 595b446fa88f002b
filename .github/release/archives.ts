// The release's compressed assets: tether-<os>-<arch>.tar.gz for Unix and .zip for Windows, each
// holding the executable as `tether` / `tether.exe` (mode 0755 in the tar) plus LICENSE and
// THIRD-PARTY-NOTICES.md.
//
// Written here rather than with tar/zip: GNU tar and macOS's bsdtar take different flags for
// owner and mode, and a fixed mtime and owner make the archives byte-for-byte reproducible.
import { deflateRawSync, gzipSync } from "node:zlib";

export interface ArchiveEntry {
  name: string;
  data: Uint8Array;
  /** Unix permission bits. */
  mode: number;
}

/** Every entry gets this mtime, so rebuilding from the same binaries gives the same archive. */
const FIXED_MTIME = new Date("2000-01-01T00:00:00Z");

const encoder = new TextEncoder();

/** A POSIX ustar archive (names up to 100 bytes, which is all a release needs), gzip-compressed. */
export function tarGz(entries: readonly ArchiveEntry[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const entry of entries) {
    blocks.push(tarHeader(entry), entry.data, new Uint8Array((512 - (entry.data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024)); // end of archive: two zero blocks
  return gzipSync(concat(blocks), { level: 9 });
}

function tarHeader(entry: ArchiveEntry): Uint8Array {
  const header = new Uint8Array(512);
  const put = (offset: number, length: number, text: string): void => {
    const bytes = encoder.encode(text);
    if (bytes.length > length) throw new Error(`tar: ${entry.name}: field too long`);
    header.set(bytes, offset);
  };
  const octal = (offset: number, length: number, value: number): void =>
    put(offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
  put(0, 100, entry.name);
  octal(100, 8, entry.mode);
  octal(108, 8, 0); // uid
  octal(116, 8, 0); // gid
  octal(124, 12, entry.data.length);
  octal(136, 12, Math.floor(FIXED_MTIME.getTime() / 1000));
  put(148, 8, "        "); // checksum is computed with this field as spaces
  put(156, 1, "0"); // regular file
  put(257, 8, "ustar\u000000");
  put(265, 32, "root");
  put(297, 32, "root");
  const sum = header.reduce((a, b) => a + b, 0);
  put(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return header;
}

/** A zip archive (deflate), the format Windows opens without extra tools. */
export function zip(entries: readonly ArchiveEntry[]): Uint8Array {
  const local: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const { time, date } = dosTime(FIXED_MTIME);
  for (const entry of entries) {
    const name = encoder.encode(entry.name);
    const compressed = deflateRawSync(entry.data, { level: 9 });
    const crc = Bun.hash.crc32(entry.data) >>> 0;
    const head = new DataView(new ArrayBuffer(30));
    head.setUint32(0, 0x04034b50, true);
    head.setUint16(4, 20, true); // version needed: 2.0 (deflate)
    head.setUint16(6, 0x0800, true); // UTF-8 names
    head.setUint16(8, 8, true); // deflate
    head.setUint16(10, time, true);
    head.setUint16(12, date, true);
    head.setUint32(14, crc, true);
    head.setUint32(18, compressed.length, true);
    head.setUint32(22, entry.data.length, true);
    head.setUint16(26, name.length, true);
    local.push(new Uint8Array(head.buffer), name, compressed);

    const dir = new DataView(new ArrayBuffer(46));
    dir.setUint32(0, 0x02014b50, true);
    dir.setUint16(4, (3 << 8) | 20, true); // made by: Unix, so the mode below is read
    dir.setUint16(6, 20, true);
    dir.setUint16(8, 0x0800, true);
    dir.setUint16(10, 8, true);
    dir.setUint16(12, time, true);
    dir.setUint16(14, date, true);
    dir.setUint32(16, crc, true);
    dir.setUint32(20, compressed.length, true);
    dir.setUint32(24, entry.data.length, true);
    dir.setUint16(28, name.length, true);
    dir.setUint32(38, ((0o100000 | entry.mode) << 16) >>> 0, true); // external attributes: mode
    dir.setUint32(42, offset, true);
    central.push(new Uint8Array(dir.buffer), name);
    offset += 30 + name.length + compressed.length;
  }
  const centralSize = central.reduce((n, part) => n + part.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  return concat([...local, ...central, new Uint8Array(end.buffer)]);
}

function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The archive name for an executable: tether-linux-x64 → tether-linux-x64.tar.gz, .exe → .zip. */
export function archiveName(executable: string): string {
  return executable.endsWith(".exe") ? executable.replace(/\.exe$/, ".zip") : `${executable}.tar.gz`;
}
