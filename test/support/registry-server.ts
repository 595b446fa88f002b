// A local MCP Registry (API v0.1) on 127.0.0.1 for registry install tests: real-looking server.json
// documents (schema 2025-12-11, the shapes of the registry's own examples) at the paths the
// official registry serves, `GET /v0.1/servers?search=…&version=latest&limit=…` and
// `GET /v0.1/servers/{name}/versions/{version}` (`latest` too), with its 404 body.
// It records each request's path and query so tests can check what tether asked.

export const SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

type Json = Record<string, unknown>;

/** One published version: server.json plus what the registry adds in `_meta`. */
export interface PublishedVersion {
  server: Json;
  status?: "active" | "deprecated" | "deleted";
  statusMessage?: string;
  publishedAt?: string;
}

const npmWeather = (version: string): Json => ({
  registryType: "npm",
  registryBaseUrl: "https://registry.npmjs.org",
  identifier: "@acme/weather-mcp",
  version,
  runtimeHint: "npx",
  transport: { type: "stdio" },
  environmentVariables: [
    { name: "WEATHER_API_KEY", description: "API key for the weather service", isRequired: true, isSecret: true },
    { name: "WEATHER_UNITS", description: "Temperature units", isRequired: true, default: "celsius", choices: ["celsius", "fahrenheit"] },
    { name: "WEATHER_LOG", description: "Log level", default: "info" },
  ],
});

const weather = (version: string): Json => ({
  $schema: SCHEMA,
  name: "io.github.acme/weather",
  title: "Weather",
  description: "Weather forecasts and alerts from the Acme weather API",
  repository: { url: "https://github.com/acme/weather-mcp", source: "github" },
  version,
  packages: [
    npmWeather(version),
    {
      registryType: "pypi",
      registryBaseUrl: "https://pypi.org",
      identifier: "acme-weather-mcp",
      version,
      runtimeHint: "uvx",
      transport: { type: "stdio" },
      packageArguments: [{ type: "named", name: "--units", description: "Temperature units", default: "celsius", isRequired: true }],
      environmentVariables: [{ name: "WEATHER_API_KEY", description: "API key for the weather service", isRequired: true, isSecret: true }],
    },
  ],
});

/** The registry docs' "Complex Docker Server with Multiple Arguments", under the 2025-12-11 schema. */
const database: Json = {
  $schema: SCHEMA,
  name: "io.github.example/database-manager",
  description: "MCP server for database operations with support for multiple database types",
  repository: { url: "https://github.com/example/database-manager-mcp", source: "github" },
  version: "3.1.0",
  packages: [
    {
      registryType: "oci",
      identifier: "docker.io/example/database-manager-mcp:3.1.0",
      transport: { type: "stdio" },
      runtimeArguments: [
        { type: "named", name: "--network", value: "host", description: "Use host network mode" },
        {
          type: "named",
          name: "-e",
          value: "DB_TYPE={db_type}",
          description: "Database type to connect to",
          variables: { db_type: { description: "Type of database", choices: ["postgres", "mysql", "mongodb", "redis"], isRequired: true } },
        },
      ],
      packageArguments: [
        { type: "named", name: "--host", description: "Database host", default: "localhost", isRequired: true },
        { type: "named", name: "--port", description: "Database port", format: "number" },
        { type: "positional", valueHint: "database_name", description: "Name of the database to connect to", isRequired: true },
      ],
      environmentVariables: [
        { name: "DB_USERNAME", description: "Database username", isRequired: true },
        { name: "DB_PASSWORD", description: "Database password", isRequired: true, isSecret: true },
        { name: "SSL_MODE", description: "SSL connection mode", default: "prefer", choices: ["disable", "prefer", "require"] },
      ],
    },
  ],
};

/** A hosted server with a package too, and a URL template variable (2025-12-11). */
const tickets: Json = {
  $schema: SCHEMA,
  name: "com.example/tickets",
  title: "Tickets",
  description: "Search and update support tickets",
  version: "2.0.0",
  remotes: [
    {
      type: "streamable-http",
      url: "https://{tenant}.tickets.example.com/mcp",
      variables: { tenant: { description: "Your tenant identifier", isRequired: true } },
      headers: [
        { name: "Authorization", description: "Your API token", value: "Bearer {token}", variables: { token: { description: "API token", isRequired: true, isSecret: true } } },
        { name: "X-Region", description: "Data region", isRequired: true, default: "eu", choices: ["eu", "us"] },
      ],
    },
    { type: "sse", url: "https://sse.tickets.example.com/sse" },
  ],
  packages: [
    {
      registryType: "npm",
      identifier: "@example/tickets-mcp",
      version: "2.0.0",
      transport: { type: "stdio" },
      packageArguments: [{ type: "positional", value: "stdio" }],
      environmentVariables: [{ name: "TICKETS_TOKEN", description: "API token", isRequired: true, isSecret: true }],
    },
  ],
};

const keyed: Json = {
  $schema: SCHEMA,
  name: "com.example/keyed",
  description: "A remote that takes its key in a header",
  version: "1.0.0",
  remotes: [{ type: "streamable-http", url: "https://keyed.example.com/mcp", headers: [{ name: "X-API-Key", description: "Your key", isRequired: true, isSecret: true }] }],
};

const bundleOnly: Json = {
  $schema: SCHEMA,
  name: "io.github.example/mind-map",
  description: "Mind maps, as an MCP bundle",
  version: "1.0.0",
  packages: [
    {
      registryType: "mcpb",
      identifier: "https://github.com/example/mind-map/releases/download/v1.0.0/mind-map.mcpb",
      fileSha256: "fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce",
      transport: { type: "stdio" },
    },
  ],
};

/** Its description carries terminal escape sequences: views must show them harmlessly. */
const hostile: Json = {
  $schema: SCHEMA,
  name: "io.github.mallory/weather-clone",
  description: "Weather\u001b[2J\u001b]52;c;cHduZWQ=\u0007 clone",
  version: "0.0.1",
  remotes: [{ type: "streamable-http", url: "https://weather-clone.example.com/mcp" }],
};

export const DEFAULT_CATALOG: PublishedVersion[] = [
  { server: weather("1.1.0") },
  { server: weather("1.2.0") },
  { server: database },
  { server: tickets },
  { server: keyed, status: "deprecated", statusMessage: "use com.example/tickets" },
  { server: bundleOnly },
  { server: hostile },
];

export interface RegistryFixture {
  url: string;
  /** Path and query of every request, in order. */
  requests: string[];
  stop(): Promise<void>;
}

export async function startRegistryServer(catalog: PublishedVersion[] = DEFAULT_CATALOG): Promise<RegistryFixture> {
  const requests: string[] = [];
  const latest = (name: string) => catalog.filter((v) => v.server.name === name).at(-1);
  const response = (version: PublishedVersion) => ({
    server: version.server,
    _meta: {
      "io.modelcontextprotocol.registry/official": {
        status: version.status ?? "active",
        ...(version.statusMessage ? { statusMessage: version.statusMessage } : {}),
        publishedAt: version.publishedAt ?? "2025-12-11T10:30:00Z",
        updatedAt: version.publishedAt ?? "2025-12-11T10:30:00Z",
        isLatest: latest(version.server.name as string) === version,
      },
    },
  });
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const url = new URL(request.url);
      requests.push(url.pathname + url.search);
      if (url.pathname === "/v0.1/servers") {
        const term = (url.searchParams.get("search") ?? "").toLowerCase();
        const limit = Number(url.searchParams.get("limit") ?? "30");
        const onlyLatest = url.searchParams.get("version") === "latest";
        const matches = catalog.filter(
          (v) =>
            (!onlyLatest || latest(v.server.name as string) === v) &&
            ((v.server.name as string).toLowerCase().includes(term) || String(v.server.description).toLowerCase().includes(term)),
        );
        const page = matches.slice(0, limit);
        const metadata = matches.length > limit ? { nextCursor: `${page.at(-1)!.server.name}:${page.at(-1)!.server.version}`, count: page.length } : { count: page.length };
        return Response.json({ servers: page.map(response), metadata });
      }
      // Split the raw path: the name arrives URL-encoded (`io.github.acme%2Fweather`).
      const match = /^\/v0\.1\/servers\/([^/]+)\/versions\/([^/]+)$/.exec(url.pathname);
      if (match) {
        const name = decodeURIComponent(match[1]!);
        const version = decodeURIComponent(match[2]!);
        const found = version === "latest" ? latest(name) : catalog.find((v) => v.server.name === name && v.server.version === version);
        if (!found) return Response.json({ title: "Not Found", status: 404, detail: "Server not found" }, { status: 404 });
        return Response.json(response(found));
      }
      return Response.json({ title: "Not Found", status: 404 }, { status: 404 });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: async () => void server.stop(true) };
}
