// The loopback listener the browser is redirected to: 127.0.0.1 only, path /callback. It answers
// with a short page saying whether the login worked and that the window can be closed.
import type { AuthorizationVerdict } from "./authorization-response.ts";
import { AuthError } from "../../errors.ts";

export const CALLBACK_HOST = "127.0.0.1";
export const CALLBACK_PATH = "/callback";

export interface CallbackListener {
  /** `http://127.0.0.1:PORT/callback`, the redirect_uri. */
  redirectUrl: string;
  port: number;
  hostname: string;
  /** Stops listening once the answer to the last callback has reached the browser. */
  close(): Promise<void>;
}

/** Judges each callback request; the listener shows the verdict to the browser. */
export type CallbackJudge = (url: URL) => AuthorizationVerdict;

/** `onIgnored` hears about callback requests that are not this login's answer (wrong state, no code). */
export function startCallbackListener(port: number, judge: CallbackJudge, onIgnored?: (reason: string) => void): CallbackListener {
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: CALLBACK_HOST,
      port,
      fetch(request) {
        const url = new URL(request.url);
        if (url.pathname !== CALLBACK_PATH) return new Response("not found\n", { status: 404 });
        const verdict = judge(url);
        if (verdict.kind === "ignore") onIgnored?.(verdict.reason);
        return page(verdict);
      },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AuthError(`cannot listen on ${CALLBACK_HOST}:${port} for the OAuth callback (${code ?? (error as Error).message})`, {
      hint: "another program uses that port; set mcp_oauth_callback_port = 0 in config.toml for any free port",
    });
  }
  const actualPort = server.port!;
  return {
    redirectUrl: `http://${CALLBACK_HOST}:${actualPort}${CALLBACK_PATH}`,
    port: actualPort,
    hostname: server.hostname!,
    // Not forced: the page answering the final callback still reaches the browser before tether exits.
    close: () => server.stop(),
  };
}

function page(verdict: AuthorizationVerdict): Response {
  const [status, title, text] =
    verdict.kind === "code"
      ? [200, "Logged in", "tether received the authorization. You can close this window and return to the terminal."]
      : verdict.kind === "failure"
        ? [400, "Login failed", `${verdict.error.message}. You can close this window; the terminal says what to do next.`]
        : [400, "Not an authorization response", `This address expects the authorization server's redirect (${verdict.reason}).`];
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>tether: ${title}</title></head><body style="font-family:sans-serif;max-width:36em;margin:4em auto"><h1>${title}</h1><p>${escapeHtml(text)}</p></body></html>\n`;
  return new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
