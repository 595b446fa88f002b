// The one phrasing of "log in (again)": the exact command. No imports, so any view can use it
// without loading the OAuth modules.

/** `run: tether mcp login NAME [--scopes a,b]`. */
export function loginCommand(serverName: string, scopes?: string[]): string {
  return `run: tether mcp login ${serverName}${scopes?.length ? ` --scopes ${scopes.join(",")}` : ""}`;
}
