// `GET /healthz` and `GET /readyz` of `tether mcp serve --http`, for a balancer or Kubernetes
// probes: no token, and nothing about the upstreams in the answer. /healthz: the process answers.
// /readyz: it should be sent clients (the required upstreams connected, the shared state reachable,
// not draining after SIGTERM).

export const HEALTH_PATH = "/healthz";
export const READY_PATH = "/readyz";

/** The answer when `request` (for `path`, parsed once by the caller) is a probe, else undefined. */
export function healthResponse(request: Request, path: string, ready: () => boolean): Response | undefined {
  if (path !== HEALTH_PATH && path !== READY_PATH) return undefined;
  if (request.method !== "GET" && request.method !== "HEAD") return new Response("Method Not Allowed\n", { status: 405, headers: { Allow: "GET, HEAD" } });
  const ok = path === HEALTH_PATH || ready();
  return new Response(request.method === "HEAD" ? null : ok ? "ok\n" : "not ready\n", {
    status: ok ? 200 : 503,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}
