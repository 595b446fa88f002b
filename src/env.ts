// The environment a run sees: a leaf of its own, so the modules the context's own services are
// made of (telemetry settings, config expansion) name it without importing the context back.

/** The environment a run sees (process.env for real runs, a plain record in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The variables that are set, as a plain record (what crosses to the keep-alive daemon). A plain
 * loop: it runs on every warm `mcp call`, in the thin client and in the daemon, where builtins
 * such as Object.entries/fromEntries cost more than the loop (issue 22).
 */
export function definedEnv(env: Env): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const name in env) {
    const value = env[name];
    if (value !== undefined) defined[name] = value;
  }
  return defined;
}
