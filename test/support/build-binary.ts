// Builds the compiled executable the end-to-end tests use (.tmp/bin), if it is stale, before the
// test workers start: test/run.sh runs it so parallel workers find it fresh instead of each
// building their own.
import { ensureHostBinary } from "./binary.ts";

await ensureHostBinary();
