// Builds the compiled executables the tests use (tether and the fixture server, in .tmp/bin) if
// they are stale, before the test workers start: test/run.sh runs it so parallel workers find
// them fresh instead of each building their own.
import { ensureHostBinary } from "./binary.ts";
import { fixtureExecutable } from "./fixture.ts";

fixtureExecutable();
await ensureHostBinary();
