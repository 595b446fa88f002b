// The version from package.json (the bundler inlines it), and the variant a build was made as.
import { version } from "../package.json" with { type: "json" };

export const VERSION: string = version;

/**
 * What `--version` prints after "tether": the version, plus "(no-otel)" for a build without
 * telemetry, so a bug report says which of the two binaries of a release it came from. The
 * define is tested here, in the module that mentions it, so the bundler folds it to a constant.
 */
export const VERSION_LABEL: string =
  typeof TETHER_OTEL === "undefined" || TETHER_OTEL ? version : `${version} (no-otel)`;
