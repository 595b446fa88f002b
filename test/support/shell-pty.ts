// Drives a real interactive shell through a pseudo-terminal: types a command line, presses Tab,
// and reads back the line as the shell completed it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export type PtyShell = "bash" | "zsh" | "fish";

/** Why a shell's completion tests are skipped here, or undefined when they can run. */
export function shellSkipReason(shell: PtyShell): string | undefined {
  if (process.platform === "win32") return "no pseudo-terminals on Windows";
  if (!Bun.which(shell)) return `${shell} is not installed (Debian: apt-get install ${shell})`;
  return undefined;
}

export interface ShellSession {
  /** HOME of the shell: its rc files are written here. */
  home: string;
  /** The completion script, as `tether completion <shell>` printed it. */
  script: string;
  env: Record<string, string>;
}

const MARK = "@@";
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)|\u001b[()][A-Za-z0-9]|\u001b[=>78DEHM]/g;

/** The terminal output as plain lines. */
export function screenText(raw: string): string {
  return raw.replace(ANSI, "").replace(/\r/g, "");
}

function startCommand(shell: PtyShell, s: ShellSession): string[] {
  const script = join(s.home, `completion.${shell}`);
  writeFileSync(script, s.script);
  if (shell === "bash") {
    writeFileSync(join(s.home, ".bashrc"), `PS1='$ '\nsource '${script}'\n`);
    return ["bash", "--noprofile", "--rcfile", join(s.home, ".bashrc"), "-i"];
  }
  if (shell === "zsh") {
    // The way a user installs it: the script as _tether in a directory on $fpath, then compinit.
    const functions = join(s.home, "zsh-functions");
    Bun.spawnSync(["mkdir", "-p", functions]);
    writeFileSync(join(functions, "_tether"), s.script);
    writeFileSync(
      join(s.home, ".zshrc"),
      `bindkey -e\nPS1='$ '\nunsetopt beep\nfpath=('${functions}' $fpath)\nautoload -Uz compinit && compinit -u -D\n`,
    );
    return ["zsh", "-i"];
  }
  return ["fish", "--no-config", "-i", "-C", `function fish_prompt; echo -n '$ '; end; source '${script}'`];
}

/**
 * Types `line`, presses Tab, then turns the result into `echo @@ <line>` and runs it: returns the
 * line as completion left it (trailing space trimmed). `screen` is everything the terminal showed.
 */
export async function completeLine(shell: PtyShell, s: ShellSession, line: string, tabs = 1): Promise<{ line: string; screen: string }> {
  return (await completeLines(shell, s, [line], tabs))[0]!;
}

/**
 * completeLine for several lines, one after another in one shell: starting an interactive shell
 * (zsh's compinit above all) costs more than completing a line.
 */
export async function completeLines(shell: PtyShell, s: ShellSession, lines: readonly string[], tabs = 1): Promise<{ line: string; screen: string }[]> {
  let raw = "";
  let waiting: { mark: string; done: () => void } | undefined;
  const markOf = (i: number) => `${MARK}${i}${MARK}`;
  const resultLine = (screen: string, mark: string) => screen.split("\n").find((l) => l.startsWith(`${mark} `) || l === mark);
  const proc = Bun.spawn(startCommand(shell, s), {
    cwd: s.home,
    env: { ...s.env, HOME: s.home, ZDOTDIR: s.home, TERM: "xterm-256color" },
    terminal: {
      cols: 250,
      rows: 50,
      data(_term, data) {
        raw += new TextDecoder().decode(data);
        if (waiting && resultLine(screenText(raw), waiting.mark) !== undefined) waiting.done();
      },
    },
  });
  const term = proc.terminal!;
  const results: { line: string; screen: string }[] = [];
  try {
    for (const [i, line] of lines.entries()) {
      const mark = markOf(i);
      const finished = new Promise<void>((resolve) => (waiting = { mark, done: resolve }));
      // Keys are queued in the terminal; the line editor reads them after the rc files have run.
      // The line editor handles keys one after another: Ctrl-A (to the start of the line) is read
      // only after Tab's completion has finished, however long that takes.
      term.write(`${line}${"\t".repeat(tabs)}\u0001echo ${mark} \r`);
      const timeout = setTimeout(() => waiting?.done(), 20_000);
      await finished;
      clearTimeout(timeout);
      const screen = screenText(raw);
      const result = resultLine(screen, mark);
      if (result === undefined) throw new Error(`${shell}: no completed line for ${JSON.stringify(line)}; the terminal showed:\n${screen}`);
      results.push({ line: result.slice(mark.length).trim(), screen });
    }
    return results;
  } finally {
    // SIGKILL: an interactive shell ignores SIGTERM.
    proc.kill("SIGKILL");
    await proc.exited;
    term.close();
  }
}
