// server.json → config.toml entry, case by case: the shapes the registry's schema allows beyond
// what the fixture's documents show end to end.
import { describe, expect, test } from "bun:test";
import { chooseInstallOption, installOptions } from "../../src/registry/choose.ts";
import { buildEntry } from "../../src/registry/entry.ts";
import { envNameFor, InputResolver, type NeededInput, type SuppliedValues } from "../../src/registry/inputs.ts";
import { parseRegistryRef } from "../../src/registry/install.ts";
import { readRegistryEntry, type RegistryServer } from "../../src/registry/server-json.ts";

const none: SuppliedValues = { env: {}, headers: {}, args: {} };

async function entryFor(server: RegistryServer, supplied: SuppliedValues = none, answers?: Record<string, string>) {
  const asked: NeededInput[] = [];
  const ask = answers ? async (input: NeededInput) => (asked.push(input), answers[input.name]) : undefined;
  const inputs = new InputResolver(supplied, ask, "srv");
  const entry = await buildEntry(chooseInstallOption(server, undefined), inputs, { env: supplied.env, headers: supplied.headers });
  return { entry, inputs, asked };
}

const base = { name: "io.github.acme/x", description: "x", version: "1.0.0" };

describe("packages", () => {
  test("an OCI identifier without a tag takes the package version (schemas before 2025-10-11); a digest is kept", async () => {
    const old = await entryFor({ ...base, packages: [{ registryType: "oci", identifier: "ghcr.io/acme/x", version: "1.0.0", transport: { type: "stdio" } }] });
    expect(old.entry.args).toEqual(["run", "-i", "--rm", "ghcr.io/acme/x:1.0.0"]);
    const digest = await entryFor({ ...base, packages: [{ registryType: "oci", identifier: "ghcr.io/acme/x@sha256:abc", version: "1.0.0", transport: { type: "stdio" } }] });
    expect(digest.entry.args).toEqual(["run", "-i", "--rm", "ghcr.io/acme/x@sha256:abc"]);
    const port = await entryFor({ ...base, packages: [{ registryType: "oci", identifier: "localhost:5000/x", transport: { type: "stdio" } }] });
    expect(port.entry.args).toEqual(["run", "-i", "--rm", "localhost:5000/x"]);
  });

  test("an optional secret env var is passed by name; other optional values are left out; undeclared --env is kept", async () => {
    const { entry } = await entryFor(
      {
        ...base,
        packages: [
          {
            registryType: "npm",
            identifier: "@acme/x",
            version: "1.0.0",
            transport: { type: "stdio" },
            packageArguments: [{ type: "named", name: "--verbose", description: "More logs" }],
            environmentVariables: [
              { name: "GITHUB_TOKEN", description: "raises rate limits", isSecret: true },
              { name: "LOG_LEVEL", default: "info" },
            ],
          },
        ],
      },
      { env: { EXTRA: "1" }, headers: {}, args: {} },
    );
    expect(entry).toEqual({ command: "npx", args: ["-y", "@acme/x@1.0.0"], env: { EXTRA: "1" }, env_vars: ["GITHUB_TOKEN"] });
  });

  test("a secret argument becomes a ${NAME_…} reference; a fixed value's {variables} are filled", async () => {
    const { entry, inputs } = await entryFor(
      {
        ...base,
        packages: [
          {
            registryType: "pypi",
            identifier: "acme-x",
            version: "2.0",
            transport: { type: "stdio" },
            packageArguments: [
              { type: "named", name: "--api-key", isRequired: true, isSecret: true },
              { type: "named", name: "--dsn", value: "postgres://{user}@{host}/db", variables: { user: { default: "app" }, host: { isRequired: true } } },
            ],
          },
        ],
      },
      { env: {}, headers: {}, args: { host: "db.internal" } },
    );
    expect(entry.args).toEqual(["acme-x==2.0", "--api-key", "${SRV_API_KEY}", "--dsn", "postgres://app@db.internal/db"]);
    expect([...inputs.secretVariables]).toEqual(["SRV_API_KEY"]);
  });

  test("an identifier or version the runtime would read as an option is refused", async () => {
    const npm = (identifier: string, version = "1.0.0"): RegistryServer => ({ ...base, packages: [{ registryType: "npm", identifier, version, transport: { type: "stdio" } }] });
    await expect(entryFor(npm("--registry=https://evil.example.com"))).rejects.toThrow('the registry\'s npm package has an identifier "--registry=https://evil.example.com" that is not a valid npm name');
    await expect(entryFor(npm("@acme/x", "1.0.0 --foo"))).rejects.toThrow("that is not a valid npm version");
    const oci: RegistryServer = { ...base, packages: [{ registryType: "oci", identifier: "-v/:/host", transport: { type: "stdio" } }] };
    await expect(entryFor(oci)).rejects.toThrow("tether will not run it");
    expect((await entryFor(npm("@Acme/x.js", "1.0.0-beta.1+b5"))).entry.args).toEqual(["-y", "@Acme/x.js@1.0.0-beta.1+b5"]);
  });

  test("a package served over HTTP is not an option; npm without a version runs unpinned", async () => {
    const server: RegistryServer = {
      ...base,
      packages: [
        { registryType: "npm", identifier: "@acme/http", version: "1.0.0", transport: { type: "streamable-http", url: "http://localhost:3000/mcp" } },
        { registryType: "npm", identifier: "@acme/stdio", transport: { type: "stdio" } },
      ],
    };
    expect(installOptions(server).map((o) => o.kind)).toEqual(["npm"]);
    expect((await entryFor(server)).entry).toEqual({ command: "npx", args: ["-y", "@acme/stdio"] });
  });
});

describe("remotes and questions", () => {
  test("a streamable HTTP remote is preferred over SSE; a secret header is read from NAME_HEADER", async () => {
    const { entry } = await entryFor({
      ...base,
      remotes: [
        { type: "sse", url: "https://x.example.com/sse" },
        { type: "streamable-http", url: "https://x.example.com/mcp", headers: [{ name: "X-Api-Key", isRequired: true, isSecret: true }] },
      ],
    });
    expect(entry).toEqual({ url: "https://x.example.com/mcp", env_http_headers: { "X-Api-Key": "SRV_X_API_KEY" } });
  });

  test("on a terminal only required non-secret values are asked; Enter takes the default", async () => {
    const { entry, asked } = await entryFor(
      {
        ...base,
        remotes: [
          {
            type: "streamable-http",
            url: "https://{region}.x.example.com/mcp",
            variables: { region: { description: "Region", default: "eu", choices: ["eu", "us"] } },
            headers: [{ name: "X-Team", isRequired: true }, { name: "X-Trace" }],
          },
        ],
      },
      none,
      { region: "", "X-Team": "core" },
    );
    expect(asked.map((i) => i.name)).toEqual(["region", "X-Team"]);
    expect(entry).toEqual({ url: "https://eu.x.example.com/mcp", http_headers: { "X-Team": "core" } });
  });
});

describe("names and documents", () => {
  test("SERVER[@VERSION]", () => {
    expect(parseRegistryRef("io.github.acme/x")).toEqual({ name: "io.github.acme/x", version: "latest" });
    expect(parseRegistryRef("io.github.acme/x@1.0.0+build.5")).toEqual({ name: "io.github.acme/x", version: "1.0.0+build.5" });
    expect(() => parseRegistryRef("io.github.acme/x@")).toThrow("--registry expects SERVER[@VERSION]");
    expect(() => parseRegistryRef("../etc/passwd")).toThrow("--registry expects SERVER[@VERSION]");
  });

  test("env names for secrets that are not env vars", () => {
    expect(envNameFor("srv_X-Api-Key")).toBe("SRV_X_API_KEY");
    expect(envNameFor("2fa")).toBe("SECRET_2FA");
  });

  test("a document with a wrongly typed field tether uses is named, unknown fields are ignored", () => {
    expect(readRegistryEntry({ server: { ...base, packages: [{ registryType: "npm", identifier: 7, transport: { type: "stdio" } }] } })).toBe(
      "'server.packages[0].identifier' is not a string",
    );
    expect(readRegistryEntry({ server: { ...base, remotes: [{ type: "streamable-http" }] } })).toBe("'server.remotes[0].url' is not a string");
    // Nested lists name the item's path the same way.
    const stdio = { registryType: "npm", identifier: "@acme/x", transport: { type: "stdio" } };
    expect(readRegistryEntry({ server: { ...base, packages: {} } })).toBe("'server.packages' is not an array");
    expect(readRegistryEntry({ server: { ...base, packages: [stdio, { ...stdio, packageArguments: [{ type: "named" }] }] } })).toBe(
      "'server.packages[1].packageArguments[0].name' is not a string",
    );
    expect(readRegistryEntry({ server: { ...base, packages: [{ ...stdio, runtimeArguments: [{ type: "flag" }] }] } })).toBe(
      "'server.packages[0].runtimeArguments[0].type' is neither positional nor named",
    );
    expect(readRegistryEntry({ server: { ...base, packages: [{ ...stdio, environmentVariables: [{ name: "A", default: 1 }] }] } })).toBe(
      "'server.packages[0].environmentVariables[0].default' is not a string",
    );
    expect(readRegistryEntry({ server: { ...base, remotes: [{ type: "sse", url: "https://x", headers: "A: 1" }] } })).toBe("'server.remotes[0].headers' is not an array");
    expect(readRegistryEntry({ server: { ...base, remotes: [{ url: "https://x" }] } })).toBe("'server.remotes[0]' has no type");
    const entry = readRegistryEntry({ server: { ...base, icons: [{ src: "https://x/icon.png" }], futureField: true }, _meta: {} });
    expect(typeof entry).toBe("object");
  });
});
