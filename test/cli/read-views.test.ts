// Every read command in the two forms a user meets: on a terminal (aligned table with a header,
// columns cut to fit, colour when allowed, a spinner on stderr) and piped (tab-separated rows, no
// header, whole values, no colour), in process through the test twin.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { expectOk, homePerTest, runTether } from "../support/cli.ts";
import { stdioFixture, writeConfig } from "../support/config.ts";
import { startHttpFixture, type FixtureHandle } from "../support/fixture.ts";

const each = homePerTest();
let web: FixtureHandle;
beforeAll(async () => {
  web = await startHttpFixture(["--tools", "echo,add"]);
});
afterAll(() => web.stop());
beforeEach(() => {
  writeConfig(each.home.configPath, { servers: { local: stdioFixture(["--tools", "echo,add"]), web: { url: web.url, bearer_token_env_var: "WEB_TOKEN" } } });
});

const run = (args: string[], tty: boolean) => runTether(args, { home: each.home.home, tty: { stdout: tty, stderr: tty }, env: { WEB_TOKEN: "t0ken-value-1" } });

describe("mcp list", () => {
  test("terminal: a header and aligned columns; piped: tab-separated rows only", async () => {
    const command = `${stdioFixture().command} ${(stdioFixture(["--tools", "echo,add"]).args as string[]).join(" ")}`;
    expect(expectOk(await run(["mcp", "list"], true)).stdout.split("\n")[0]).toMatch(/^NAME\s+TRANSPORT\s+COMMAND\/URL\s+ENABLED\s+AUTH$/);
    const tty = expectOk(await run(["mcp", "list"], true)).stdout.split("\n");
    expect(tty[1]).toMatch(/^local\s{2,}stdio\s{2,}/);
    expect(tty[2]).toMatch(/^web\s{2,}http\s{2,}http:\/\/127\.0\.0\.1:\d+\/mcp\s{2,}yes\s{2,}bearer \(WEB_TOKEN\)$/);
    expect(tty[1]!.indexOf("stdio")).toBe(tty[2]!.indexOf("http "));
    const piped = expectOk(await run(["mcp", "list"], false)).stdout;
    expect(piped).toBe(`local\tstdio\t${command}\tyes\tnone\nweb\thttp\t${web.url}\tyes\tbearer (WEB_TOKEN)\n`);
  });

  test("--status: the same two forms, with status, tools and latency", async () => {
    const tty = expectOk(await run(["mcp", "list", "--status"], true)).stdout.split("\n");
    expect(tty[0]).toMatch(/^NAME\s+TRANSPORT\s+COMMAND\/URL\s+ENABLED\s+AUTH\s+STATUS\s+TOOLS\s+LATENCY$/);
    expect(tty[1]).toMatch(/\bok\s{2,}2\s{2,}\d+ms$/);
    const piped = expectOk(await run(["mcp", "list", "--status"], false)).stdout.split("\n");
    expect(piped[1]).toMatch(/^web\thttp\t\S+\tyes\tbearer \(WEB_TOKEN\)\tok\t2\t\d+ms$/);
  });
});

describe("mcp tools", () => {
  test("terminal: header and columns; piped: name, description, required parameters separated by tabs", async () => {
    const tty = expectOk(await run(["mcp", "tools", "web"], true)).stdout.split("\n");
    expect(tty[0]).toMatch(/^TOOL\s+DESCRIPTION\s+REQUIRED$/);
    expect(tty[1]).toMatch(/^echo\s{2,}Echo the given text back\.\s{2,}text: string$/);
    expect(expectOk(await run(["mcp", "tools", "web"], false)).stdout).toBe(
      "echo\tEcho the given text back.\ttext: string\nadd\tAdd two numbers.\ta: number, b: number\n",
    );
  });
});

describe("mcp get and doctor", () => {
  test("the same detail view on a terminal and piped; secrets never shown", async () => {
    for (const tty of [true, false]) {
      const get = expectOk(await run(["mcp", "get", "web"], tty)).stdout;
      expect(get).toContain("web\n");
      expect(get).toMatch(/bearer_token_env_var:\s+WEB_TOKEN\n/);
      expect(get).not.toContain("t0ken-value-1");
      const doctor = expectOk(await run(["mcp", "doctor", "web"], tty)).stdout;
      expect(doctor).toMatch(/^web {2}ok\n {2}transport: http\n/);
      expect(doctor).toContain("  tools:     2\n");
    }
  });
});

// A server with resources, prompts, an image tool and a tool whose description is too long for a
// terminal column, for the commands the config above cannot show.
const LONG_TOOL = `long_${"x".repeat(70)}`;
const ESC = "\u001b";
const bold = (text: string) => `${ESC}[1m${text}${ESC}[22m`;

describe("resources, prompts and calls", () => {
  let feat: FixtureHandle;
  beforeAll(async () => {
    feat = await startHttpFixture(["--features", "--tools", "echo,image", `--extra-tool=${LONG_TOOL}`]);
  });
  afterAll(() => feat.stop());
  beforeEach(() => writeConfig(each.home.configPath, { servers: { feat: { url: feat.url } } }));
  const runFeat = (args: string[], tty: boolean, color = false) => runTether(args, { home: each.home.home, tty: { stdout: tty, stderr: tty, color } });

  test("mcp tools: a long description is cut to the terminal column with …, whole when piped", async () => {
    const tty = expectOk(await runFeat(["mcp", "tools", "feat"], true)).stdout.split("\n");
    const row = tty.find((line) => line.startsWith(LONG_TOOL))!;
    expect(row).toMatch(new RegExp(`^${LONG_TOOL}\\s{2,}Extra tool long_x+…\\s{2,}-$`));
    expect(row.match(/Extra tool \S+…/)![0]).toHaveLength(70);
    const piped = expectOk(await runFeat(["mcp", "tools", "feat"], false)).stdout.split("\n");
    expect(piped).toContain(`${LONG_TOOL}\tExtra tool ${LONG_TOOL}.\t-`);
  });

  test("mcp call: the same text on stdout; a spinner on a terminal's stderr, nothing on a pipe's", async () => {
    const tty = expectOk(await runFeat(["mcp", "call", "feat", "echo", "--arg", `text=hi${ESC}[2J`], true));
    const piped = expectOk(await runFeat(["mcp", "call", "feat", "echo", "--arg", `text=hi${ESC}[2J`], false));
    // Control characters from the server are made visible in both forms.
    expect(tty.stdout).toBe("hi^[[2J\n");
    expect(piped.stdout).toBe("hi^[[2J\n");
    expect(tty.stderr).toContain("Calling echo on feat…");
    expect(tty.stderr.endsWith(`\r${ESC}[2K`)).toBe(true);
    expect(piped.stderr).toBe("");
    // What is not text is counted on stderr, in both forms.
    for (const form of [true, false]) {
      const image = expectOk(await runFeat(["mcp", "call", "feat", "image"], form));
      expect(image.stdout).toBe("a 1x1 png\n");
      expect(image.stderr).toContain("(also returned 1 image; use --json to see everything)\n");
    }
  });

  test("mcp resources: aligned columns under a header on a terminal; tab-separated piped", async () => {
    const tty = expectOk(await runFeat(["mcp", "resources", "feat"], true)).stdout.split("\n");
    expect(tty[0]).toMatch(/^URI\s+NAME\s+MIME\s+SIZE\s+DESCRIPTION$/);
    expect(tty[1]).toMatch(/^fixture:\/\/docs\/readme\s{2,}readme\s{2,}text\/plain\s{2,}-\s{2,}The fixture's readme\.$/);
    expect(tty[1]!.indexOf("text/plain")).toBe(tty[0]!.indexOf("MIME"));
    expect(tty[2]!.indexOf("image/png")).toBe(tty[0]!.indexOf("MIME"));
    expect(expectOk(await runFeat(["mcp", "resources", "feat"], false)).stdout).toBe(
      "fixture://docs/readme\treadme\ttext/plain\t-\tThe fixture's readme.\nfixture://logo.png\tlogo\timage/png\t-\tA tiny PNG.\n",
    );
  });

  test("mcp read: the same text in both forms; binary refused on a terminal and on a pipe alike, each named", async () => {
    for (const form of [true, false]) {
      expect(expectOk(await runFeat(["mcp", "read", "feat", "fixture://docs/readme"], form)).stdout).toBe("# Fixture\nhello from a resource\n");
    }
    const tty = await runFeat(["mcp", "read", "feat", "fixture://logo.png"], true);
    const piped = await runFeat(["mcp", "read", "feat", "fixture://logo.png"], false);
    expect([tty.code, tty.stdout]).toEqual([2, ""]);
    expect([piped.code, piped.stdout]).toEqual([2, ""]);
    expect(tty.stderr).toContain('error: resource "fixture://logo.png" is binary (image/png, 70 bytes); tether does not write it to a terminal\n');
    expect(piped.stderr).toBe(
      'error: resource "fixture://logo.png" is binary (image/png, 70 bytes); tether does not write it to stdout\nhint: save it with --out FILE, or see it base64-encoded with --json\n',
    );
  });

  test("mcp prompts: header and aligned columns on a terminal (bold names with colour); tab-separated piped", async () => {
    const tty = expectOk(await runFeat(["mcp", "prompts", "feat"], true)).stdout.split("\n");
    expect(tty.slice(0, 4)).toEqual([
      "PROMPT         DESCRIPTION                       ARGUMENTS",
      "greet          Say hello.                        name",
      "review         Review some code.                 code*, style",
      "with_resource  A prompt that embeds the readme.  -",
    ]);
    const colour = expectOk(await runFeat(["mcp", "prompts", "feat"], true, true)).stdout.split("\n");
    expect(colour[1]).toStartWith(bold("greet        "));
    expect(expectOk(await runFeat(["mcp", "prompts", "feat"], false)).stdout).toBe(
      "greet\tSay hello.\tname\nreview\tReview some code.\tcode*, style\nwith_resource\tA prompt that embeds the readme.\t-\n",
    );
  });

  test("mcp prompt: [role] lines, bold with colour on a terminal, plain piped", async () => {
    const args = ["mcp", "prompt", "feat", "review", "--arg", "code=x = 1"];
    const plain = expectOk(await runFeat(args, false)).stdout;
    expect(plain).toStartWith("[user]\n");
    expect(plain).not.toContain(ESC);
    const colour = expectOk(await runFeat(args, true, true)).stdout;
    expect(colour).toBe(plain.replaceAll("[user]", bold("[user]")).replaceAll("[assistant]", bold("[assistant]")));
  });
});

describe("colour on a terminal, never piped", () => {
  test("mcp list: bold header and names", async () => {
    const colour = expectOk(await runTether(["mcp", "list"], { home: each.home.home, tty: { stdout: true, color: true }, env: { WEB_TOKEN: "x" } })).stdout.split("\n");
    expect(colour[0]).toStartWith(bold("NAME "));
    expect(colour[1]).toStartWith(bold("local"));
    expect(expectOk(await run(["mcp", "list"], false)).stdout).not.toContain(ESC);
  });

  test("mcp get: a bold title and dim keys; doctor: the status in green", async () => {
    const options = { home: each.home.home, tty: { stdout: true, color: true }, env: { WEB_TOKEN: "t0ken-value-1" } };
    const get = expectOk(await runTether(["mcp", "get", "web"], options)).stdout;
    expect(get).toStartWith(`${bold("web")}\n  ${ESC}[2mtransport:`);
    const doctor = expectOk(await runTether(["mcp", "doctor", "web"], options)).stdout;
    expect(doctor).toStartWith(`${bold("web")}  ${ESC}[32mok${ESC}[39m\n`);
    for (const command of ["get", "doctor"]) expect(expectOk(await run(["mcp", command, "web"], false)).stdout).not.toContain(ESC);
  });
});
