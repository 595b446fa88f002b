// HTTPS_PROXY / HTTP_PROXY / NO_PROXY for every request tether makes (MCP servers, OAuth, the
// model API). Bun's fetch takes a `proxy` option but does not read these variables itself.
import type { Env } from "../context.ts";
import { isLoopbackHost } from "../config/names.ts";

function variable(env: Env, name: string): string | undefined {
  return env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
}

/** The proxy URL for `url`, or undefined to connect directly. Loopback is never proxied. */
export function proxyFor(url: URL, env: Env): string | undefined {
  const proxy = url.protocol === "https:" ? variable(env, "https_proxy") : url.protocol === "http:" ? variable(env, "http_proxy") : undefined;
  if (!proxy || isLoopbackHost(url.hostname) || bypasses(url, variable(env, "no_proxy"))) return undefined;
  return proxy;
}

/** NO_PROXY as curl reads it: `*`, or hosts / domain suffixes, each optionally with `:port`. */
function bypasses(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === "*") return true;
      const [name, entryPort] = entry.toLowerCase().replace(/^\*?\./, "").split(/:(?=\d+$)/);
      if (entryPort && entryPort !== port) return false;
      return host === name || host.endsWith(`.${name}`);
    });
}

/** `fetch` that routes through the configured proxy; the plain fetch when none is configured. */
export function proxyingFetch(env: Env, base: typeof fetch): typeof fetch {
  if (!variable(env, "https_proxy") && !variable(env, "http_proxy")) return base;
  const routed = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const proxy = proxyFor(url, env);
    return proxy ? base(input, { ...init, proxy } as RequestInit) : base(input, init);
  };
  return Object.assign(routed, { preconnect: base.preconnect }) as typeof fetch;
}
