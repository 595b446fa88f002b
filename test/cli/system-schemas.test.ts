// The real context makes zod interpret schemas instead of compiling them (src/cli/system.ts):
// the SDK's zod, which tether never imports itself, must see the setting.
import { expect, test } from "bun:test";
import { interpretSchemas } from "../../src/cli/system.ts";

test("the SDK's zod is told to interpret its schemas (jitless)", async () => {
  interpretSchemas();
  const { globalConfig } = await import("zod/v4/core");
  expect(globalConfig.jitless).toBe(true);
  // The same object whichever copy of zod reads it: it is the global zod keeps for all of them.
  expect((globalThis as { __zod_globalConfig?: unknown }).__zod_globalConfig).toBe(globalConfig);
});
