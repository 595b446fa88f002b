// argv → ExecOptions for `tether exec`, without running anything.
import { expect, test } from "bun:test";
import { parseArgs } from "citty";
import { execArgs, toExecOptions } from "../../src/cli/commands/exec.ts";
import { UsageError } from "../../src/errors.ts";

const options = (argv: string[]) => toExecOptions(parseArgs(argv, execArgs), argv);

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

test("--mcp-prompt SERVER/PROMPT with its --arg pairs; --arg alone is a usage error", () => {
  expect(options(["--mcp-prompt", "docs/review", "--arg", "code=x=1", "--arg=style=short", "and", "be", "brief"])).toEqual({
    prompt: ["and", "be", "brief"],
    model: undefined,
    yes: false,
    mcpPrompt: { server: "docs", prompt: "review", args: ["code=x=1", "style=short"] },
  });
  for (const bad of ["docs", "/review", "docs/", ""]) {
    expect(() => options(["--mcp-prompt", bad])).toThrow("--mcp-prompt wants SERVER/PROMPT");
  }
  expect(() => options(["--arg", "k=v", "hi"])).toThrow("--arg is for the prompt of --mcp-prompt");
});
