// The environment a run sees: a leaf of its own, so the modules the context's own services are
// made of (telemetry settings, config expansion) name it without importing the context back.

/** The environment a run sees (process.env for real runs, a plain record in tests). */
export type Env = Readonly<Record<string, string | undefined>>;
