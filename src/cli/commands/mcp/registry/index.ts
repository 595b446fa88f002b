// `tether mcp registry`: look servers up in the MCP Registry (`registry_url`).
import { defineCommand } from "citty";
import type { Context } from "../../../../context.ts";
import { lazy } from "../../../command.ts";

export default (ctx: Context) =>
  defineCommand({
    meta: { name: "registry", description: "Find servers in the MCP Registry (add one with mcp add NAME --registry SERVER)" },
    subCommands: {
      search: lazy(ctx, () => import("./search.ts")),
    },
  });
