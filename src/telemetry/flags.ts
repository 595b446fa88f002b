// Build-time switches. build.ts defines TETHER_OTEL as `true` or `false` (`--no-otel`); a run from
// source (`bun src/main.ts`, `bun test`) leaves it undefined, which means enabled.
//
// Bun replaces TETHER_OTEL and folds the condition only inside the module that mentions it: an
// imported OTEL_ENABLED stays a variable, so `if (OTEL_ENABLED) await import(...)` in another
// module keeps the imported code in a `--no-otel` bundle. A branch whose code must vanish tests
// `typeof TETHER_OTEL === "undefined" || TETHER_OTEL` itself (see ./index.ts); OTEL_ENABLED is for
// reading the setting at run time.

declare global {
  /** Defined by build.ts; undefined when running from source. */
  const TETHER_OTEL: boolean | undefined;
}

export const OTEL_ENABLED: boolean = typeof TETHER_OTEL === "undefined" ? true : TETHER_OTEL;
