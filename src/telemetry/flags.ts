// Build-time switches. build.ts defines TETHER_OTEL as `true` or `false` (`--no-otel`); a run from
// source (`bun src/main.ts`, `bun test`) leaves it undefined, which means enabled.
//
// Bun replaces TETHER_OTEL and folds the condition only inside the module that mentions it: an
// imported flag stays a variable, so `if (flag) await import(...)` in another
// module keeps the imported code in a `--no-otel` bundle. So this file only declares the global; a
// branch whose code must vanish tests `typeof TETHER_OTEL === "undefined" || TETHER_OTEL` itself
// (see ./index.ts).

declare global {
  /** Defined by build.ts; undefined when running from source. */
  const TETHER_OTEL: boolean | undefined;
}

export {};
