// argv → ExecOptions for `tether exec`, without running anything.
import { expect, test } from "bun:test";
import { parseArgs } from "citty";
import { execArgs, toExecOptions } from "../../src/cli/commands/exec.ts";
import { UsageError } from "../../src/errors.ts";

const options = (argv: string[]) => toExecOptions(parseArgs(argv, execArgs));

test("flags and the prompt words", () => {
  expect(options(["what", "is", "2+3?"])).toEqual({ prompt: ["what", "is", "2+3?"], model: undefined, yes: false });
  expect(options(["-y", "-m", "gpt-x", "--max-turns", "3", "hi"])).toEqual({ prompt: ["hi"], model: "gpt-x", yes: true, maxTurns: 3 });
  expect(options(["-"])).toEqual({ prompt: ["-"], model: undefined, yes: false });
  expect(options([])).toEqual({ prompt: [], model: undefined, yes: false });
});

test("--max-turns must be a whole number of at least 1", () => {
  for (const bad of ["0", "-1", "2.5", "many", ""]) {
    expect(() => options(["--max-turns", bad, "hi"])).toThrow(UsageError);
  }
});
