// A SharedState for tests (src/serve/state/types.ts) over a private redis-server (./redis.ts):
// serve's own connection, under a prefix of the test's choosing so tests sharing a Redis stay apart.
import { connectState, parseStateUrl } from "../../src/serve/state/connection.ts";
import type { SharedState } from "../../src/serve/state/types.ts";

export function testSharedState(url: string, prefix = "tether:"): Promise<SharedState> {
  return connectState(parseStateUrl(url), { prefix });
}
