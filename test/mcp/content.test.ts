// Counting base64 without decoding it: the same figure decoding gives, for anything the SDK accepts.
import { expect, test } from "bun:test";
import { base64Bytes } from "../../src/mcp/content.ts";

test("base64Bytes: the decoded size, padded or not, wrapped in lines or not", () => {
  for (const data of ["", "AA==", "AAA=", "AAAA", "AA", "AAA", "aGVsbG8gd29ybGQ=", "aGVs\nbG8g\r\nd29y bGQ=\n", "AA==\n"]) {
    expect(() => atob(data)).not.toThrow();
    expect(base64Bytes(data)).toBe(Buffer.from(data, "base64").length);
  }
});
