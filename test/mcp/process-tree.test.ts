// The pure parts of ending a server's process tree: the table walk and the per-platform commands.
import { expect, test } from "bun:test";
import { descendantsOf, parseProcessTable, parseProcStatPpid, processTableCommand, treeKillCommand } from "../../src/mcp/process-tree.ts";

test("descendantsOf walks children, grandchildren and deeper, and nothing else", () => {
  const table = new Map([
    [1, 0],
    [100, 1], // tether
    [200, 100], // the server
    [201, 200], // its helper
    [202, 201], // the helper's child
    [300, 100], // another server
    [301, 300],
    [400, 1],
  ]);
  expect(descendantsOf(200, table)).toEqual([201, 202]);
  expect(descendantsOf(100, table).sort()).toEqual([200, 201, 202, 300, 301]);
  expect(descendantsOf(999, table)).toEqual([]);
});

test("descendantsOf survives a cycle in a racy table", () => {
  expect(descendantsOf(1, new Map([[2, 1], [1, 2]]))).toEqual([2]);
});

test("the tree-kill command per platform: taskkill /T /F on Windows, none elsewhere", () => {
  expect(treeKillCommand("win32", 4242)).toEqual(["taskkill", "/T", "/F", "/PID", "4242"]);
  expect(treeKillCommand("linux", 4242)).toBeUndefined();
  expect(treeKillCommand("darwin", 4242)).toBeUndefined();
});

test("the process-table command per platform: ps on macOS, /proc on Linux, none on Windows", () => {
  expect(processTableCommand("darwin")).toEqual(["ps", "-A", "-o", "pid=,ppid="]);
  expect(processTableCommand("freebsd")).toEqual(["ps", "-A", "-o", "pid=,ppid="]);
  expect(processTableCommand("linux")).toBeUndefined();
  expect(processTableCommand("win32")).toBeUndefined();
});

test("ps output and /proc stat lines parse, command names with spaces and parens included", () => {
  expect(parseProcessTable("    1     0\n  523     1\n 9001   523\n\n")).toEqual(new Map([[1, 0], [523, 1], [9001, 523]]));
  expect(parseProcStatPpid("4242 (my (odd) server) S 4000 4242 4000 0 -1")).toBe(4000);
  expect(parseProcStatPpid("4242 (gone) Z 4000 4242 4000 0 -1")).toBeUndefined();
});
