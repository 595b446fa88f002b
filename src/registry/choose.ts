// Which of a server's install options tether writes: its remote or one of its packages, by a fixed
// preference unless `--package` names one.
import { UsageError } from "../errors.ts";
import { terminalLine } from "../text/sanitize.ts";
import type { RegistryPackage, RegistryServer, RegistryTransport } from "./server-json.ts";

export type InstallKind = "remote" | "npm" | "pypi" | "oci";
/**
 * The `--package` values, in the order of preference when it is not given: a remote first (nothing
 * is downloaded or run on this machine, and tether logs in to it with OAuth when it asks), then
 * npm, PyPI and OCI packages (npx and uvx are the commonest runtimes; docker last, it needs a
 * running daemon).
 */
export const INSTALL_KINDS: readonly InstallKind[] = ["remote", "npm", "pypi", "oci"];

export type InstallOption =
  | { kind: "remote"; remote: RegistryTransport }
  | { kind: "npm" | "pypi" | "oci"; pkg: RegistryPackage };

/** What tether can install, in document order (streamable HTTP remotes before legacy SSE ones). */
export function installOptions(server: RegistryServer): InstallOption[] {
  const remotes = server.remotes ?? [];
  const options: InstallOption[] = [
    ...remotes.filter((r) => r.type === "streamable-http").map((remote) => ({ kind: "remote" as const, remote })),
    ...remotes.filter((r) => r.type === "sse").map((remote) => ({ kind: "remote" as const, remote })),
  ];
  for (const pkg of server.packages ?? []) {
    // A package that serves HTTP would need tether to start it and then connect: not supported.
    if (pkg.transport.type !== "stdio") continue;
    if (pkg.registryType === "npm" || pkg.registryType === "pypi" || pkg.registryType === "oci") options.push({ kind: pkg.registryType, pkg });
  }
  return options;
}

/** The option to install: the first of `wanted`'s kind, else the first in INSTALL_KINDS' order. */
export function chooseInstallOption(server: RegistryServer, wanted: InstallKind | undefined): InstallOption {
  const options = installOptions(server);
  const name = terminalLine(server.name, 200);
  const offered = [...new Set(options.map((o) => o.kind))];
  if (options.length === 0) {
    const others = [
      ...(server.packages ?? []).map((p) => (p.transport.type === "stdio" ? p.registryType : `${p.registryType} over ${p.transport.type}`)),
      ...(server.remotes ?? []).map((r) => `${r.type} remote`),
    ];
    throw new UsageError(
      `"${name}" offers nothing tether can install${others.length > 0 ? ` (it has: ${terminalLine(others.join(", "), 200)})` : ""}`,
      { hint: "tether installs remotes (streamable HTTP, SSE) and stdio packages from npm, PyPI and OCI; add it by hand with tether mcp add NAME -- COMMAND" },
    );
  }
  const kinds = wanted ? [wanted] : INSTALL_KINDS;
  for (const kind of kinds) {
    const option = options.find((o) => o.kind === kind);
    if (option) return option;
  }
  throw new UsageError(`"${name}" has no ${wanted === "remote" ? "remote" : `${wanted} package`}; it offers: ${offered.join(", ")}`, {
    hint: `choose one with --package ${offered[0]}`,
  });
}

/** "remote https://…", "npm @acme/weather 1.2.0": what was chosen, for the user. */
export function describeOption(option: InstallOption): string {
  if (option.kind === "remote") return terminalLine(`${option.remote.type} remote ${option.remote.url ?? ""}`, 300);
  return terminalLine(`${option.kind} package ${option.pkg.identifier}${option.pkg.version ? ` ${option.pkg.version}` : ""}`, 300);
}
