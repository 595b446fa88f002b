// The run's known secret values for views that quote servers (error text, stderr), so an API key
// or header a server echoes back is shown as [redacted].
import type { Context } from "../context.ts";
import { knownSecrets } from "../config/secrets.ts";

export async function runSecrets(ctx: Context): Promise<string[]> {
  return knownSecrets(ctx.env, (await ctx.config()).config);
}
