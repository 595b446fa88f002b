// `tether mcp`: manage and use MCP servers.
import { defineCommand } from "citty";
import type { Context } from "../../../context.ts";
import { lazy } from "../../command.ts";

export default (ctx: Context) =>
  defineCommand({
    meta: { name: "mcp", description: "Manage and use MCP servers" },
    subCommands: {
      add: lazy(ctx, () => import("./add.ts")),
      list: lazy(ctx, () => import("./list.ts")),
      get: lazy(ctx, () => import("./get.ts")),
      remove: lazy(ctx, () => import("./remove.ts")),
      tools: lazy(ctx, () => import("./tools.ts")),
      call: lazy(ctx, () => import("./call.ts")),
      resources: lazy(ctx, () => import("./resources.ts")),
      read: lazy(ctx, () => import("./read.ts")),
      prompts: lazy(ctx, () => import("./prompts.ts")),
      prompt: lazy(ctx, () => import("./prompt.ts")),
      doctor: lazy(ctx, () => import("./doctor.ts")),
      login: lazy(ctx, () => import("./login.ts")),
      logout: lazy(ctx, () => import("./logout.ts")),
      serve: lazy(ctx, () => import("./serve.ts")),
      import: lazy(ctx, () => import("./import.ts")),
      registry: lazy(ctx, () => import("./registry/index.ts")),
      grep: lazy(ctx, () => import("./grep.ts")),
      // Keep-alive (issue 22)
      daemon: lazy(ctx, () => import("./daemon/index.ts")),
    },
  });
