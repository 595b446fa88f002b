// Opens a URL with the platform's opener; a missing opener is not an error (the URL is printed too).
// Only web URLs are opened: an authorization server chooses the URL, and a file:, smb: or
// javascript: URL handed to an opener would read files, reach network shares or run code.
import type { Env } from "../context.ts";
import { isLoopbackHost } from "../config/names.ts";

/** `https:`, or `http:` to a loopback host (local test servers). */
export function isOpenableUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
}

/**
 * The opener's argument vector for `platform`. The URL is one argument, never parsed by a shell:
 * on Windows `cmd /c start` would read `&`, `|` and `^` in the URL, so the URL goes to the
 * protocol handler through rundll32 instead.
 */
export function openerCommand(url: string, platform: NodeJS.Platform): [string, string[]] {
  if (platform === "darwin") return ["open", [url]];
  if (platform === "win32") return ["rundll32", ["url.dll,FileProtocolHandler", url]];
  return ["xdg-open", [url]];
}

/** `env` is the run's environment: the opener is looked up on its PATH. */
export async function openUrl(url: string, env: Env): Promise<void> {
  if (!isOpenableUrl(url)) return;
  const [command, args] = openerCommand(new URL(url).href, process.platform);
  // Loaded here, not at the top: every command that may show a URL imports this module, and
  // node:child_process costs milliseconds at start-up.
  const { spawn } = await import("node:child_process");
  await new Promise<void>((done) => {
    const child = spawn(command, args, { stdio: "ignore", detached: true, windowsHide: true, env: env as NodeJS.ProcessEnv });
    child.on("error", () => done());
    child.on("spawn", () => {
      child.unref();
      done();
    });
  });
}
