// The parts of a registry entry tether reads: server.json (schema 2025-12-11) and the registry's
// `_meta`, checked by hand where tether depends on a field's shape (the registry is untrusted input).
import { isPlainObject } from "../values.ts";

/** An input of server.json (`Input`, `InputWithVariables`): a value, or what to ask the user for. */
export interface RegistryInput {
  description?: string;
  isRequired?: boolean;
  isSecret?: boolean;
  format?: string;
  value?: string;
  default?: string;
  placeholder?: string;
  choices?: string[];
  variables?: Record<string, RegistryInput>;
}

/** `PositionalArgument` or `NamedArgument`. */
export interface RegistryArgument extends RegistryInput {
  type: "positional" | "named";
  /** Named: the flag with its dashes (`--port`). */
  name?: string;
  /** Positional: the label of a value the user gives. */
  valueHint?: string;
  isRepeated?: boolean;
}

/** `KeyValueInput`: an environment variable or an HTTP header. */
export interface RegistryKeyValue extends RegistryInput {
  name: string;
}

export interface RegistryTransport {
  type: string;
  url?: string;
  headers?: RegistryKeyValue[];
  variables?: Record<string, RegistryInput>;
}

export interface RegistryPackage {
  registryType: string;
  registryBaseUrl?: string;
  identifier: string;
  version?: string;
  runtimeHint?: string;
  transport: RegistryTransport;
  runtimeArguments?: RegistryArgument[];
  packageArguments?: RegistryArgument[];
  environmentVariables?: RegistryKeyValue[];
}

export interface RegistryServer {
  name: string;
  description: string;
  version: string;
  title?: string;
  websiteUrl?: string;
  repository?: { url?: string };
  packages?: RegistryPackage[];
  remotes?: RegistryTransport[];
}

/** One item of the API's lists and its version endpoint (`ServerResponse`). */
export interface RegistryEntry {
  server: RegistryServer;
  /** `_meta["io.modelcontextprotocol.registry/official"]`, when the registry sends it. */
  status?: string;
  statusMessage?: string;
}

const OFFICIAL_META = "io.modelcontextprotocol.registry/official";

/**
 * A `ServerResponse` as tether reads it, or a description of the first field it cannot use.
 * Unknown fields are ignored (the format grows additively); wrong types of fields tether uses are not.
 */
export function readRegistryEntry(value: unknown): RegistryEntry | string {
  if (!isPlainObject(value) || !isPlainObject(value.server)) return "it has no 'server' object";
  const server = value.server;
  for (const key of ["name", "version"] as const) {
    if (typeof server[key] !== "string" || server[key] === "") return `'server.${key}' is not a string`;
  }
  if (server.description !== undefined && typeof server.description !== "string") return "'server.description' is not a string";
  const problem = packagesProblem(server.packages) ?? remotesProblem(server.remotes, "server.remotes");
  if (problem) return problem;
  const meta = isPlainObject(value._meta) && isPlainObject(value._meta[OFFICIAL_META]) ? value._meta[OFFICIAL_META] : {};
  return {
    server: { ...(server as unknown as RegistryServer), description: typeof server.description === "string" ? server.description : "" },
    status: typeof meta.status === "string" ? meta.status : undefined,
    statusMessage: typeof meta.statusMessage === "string" ? meta.statusMessage : undefined,
  };
}

function packagesProblem(packages: unknown): string | undefined {
  return listProblem(packages, "server.packages", (pkg, at) => {
    if (!isPlainObject(pkg)) return `'${at}' is not an object`;
    if (typeof pkg.registryType !== "string") return `'${at}.registryType' is not a string`;
    if (typeof pkg.identifier !== "string" || pkg.identifier === "") return `'${at}.identifier' is not a string`;
    if (pkg.version !== undefined && typeof pkg.version !== "string") return `'${at}.version' is not a string`;
    if (!isPlainObject(pkg.transport) || typeof pkg.transport.type !== "string") return `'${at}.transport' has no type`;
    return (
      argumentsProblem(pkg.runtimeArguments, `${at}.runtimeArguments`) ??
      argumentsProblem(pkg.packageArguments, `${at}.packageArguments`) ??
      keyValuesProblem(pkg.environmentVariables, `${at}.environmentVariables`)
    );
  });
}

function remotesProblem(remotes: unknown, at: string): string | undefined {
  return listProblem(remotes, at, (remote, at) => {
    if (!isPlainObject(remote) || typeof remote.type !== "string") return `'${at}' has no type`;
    if (typeof remote.url !== "string") return `'${at}.url' is not a string`;
    return keyValuesProblem(remote.headers, `${at}.headers`) ?? variablesProblem(remote.variables, `${at}.variables`);
  });
}

function argumentsProblem(list: unknown, at: string): string | undefined {
  return listProblem(list, at, (arg, at) => {
    if (!isPlainObject(arg) || (arg.type !== "positional" && arg.type !== "named")) return `'${at}.type' is neither positional nor named`;
    if (arg.type === "named" && typeof arg.name !== "string") return `'${at}.name' is not a string`;
    return inputProblem(arg, at);
  });
}

function keyValuesProblem(list: unknown, at: string): string | undefined {
  return listProblem(list, at, (item, at) => {
    if (!isPlainObject(item) || typeof item.name !== "string" || item.name === "") return `'${at}.name' is not a string`;
    return inputProblem(item, at);
  });
}

/** An optional array's first problem: not an array, or the first item's (`at` names it: `list[i]`). */
function listProblem(list: unknown, at: string, itemProblem: (item: unknown, at: string) => string | undefined): string | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) return `'${at}' is not an array`;
  for (const [i, item] of list.entries()) {
    const problem = itemProblem(item, `${at}[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

function inputProblem(input: Record<string, unknown>, at: string): string | undefined {
  for (const key of ["value", "default", "description", "valueHint"]) {
    if (input[key] !== undefined && typeof input[key] !== "string") return `'${at}.${key}' is not a string`;
  }
  if (input.choices !== undefined && !(Array.isArray(input.choices) && input.choices.every((c) => typeof c === "string"))) {
    return `'${at}.choices' is not a list of strings`;
  }
  return variablesProblem(input.variables, `${at}.variables`);
}

function variablesProblem(variables: unknown, at: string): string | undefined {
  if (variables === undefined) return undefined;
  if (!isPlainObject(variables)) return `'${at}' is not an object`;
  for (const [name, variable] of Object.entries(variables)) {
    if (!isPlainObject(variable)) return `'${at}.${name}' is not an object`;
    const problem = inputProblem(variable, `${at}.${name}`);
    if (problem) return problem;
  }
  return undefined;
}
