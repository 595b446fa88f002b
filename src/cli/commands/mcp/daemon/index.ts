// `tether mcp daemon`: the keep-alive daemon of this config (keep_alive servers, --keep-alive).
import { defineCommand } from "citty";
import type { Context } from "../../../../context.ts";
import { lazy } from "../../../command.ts";

export default (ctx: Context) =>
  defineCommand({
    meta: { name: "daemon", description: "The keep-alive daemon: start, status, stop, logs" },
    subCommands: {
      start: lazy(ctx, () => import("./start.ts")),
      status: lazy(ctx, () => import("./status.ts")),
      stop: lazy(ctx, () => import("./stop.ts")),
      logs: lazy(ctx, () => import("./logs.ts")),
      run: lazy(ctx, () => import("./run.ts")),
    },
  });
