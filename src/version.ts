// The version from package.json; the bundler inlines it at build time.
import { version } from "../package.json" with { type: "json" };

export const VERSION: string = version;
