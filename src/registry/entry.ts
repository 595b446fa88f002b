// A chosen install option → the config.toml server entry: npm → `npx -y PKG@VERSION`, PyPI →
// `uvx PKG==VERSION`, OCI → `docker run -i --rm IMAGE:TAG`, a remote → its url and headers.
// Secrets come out as env-var references (env_vars, bearer_token_env_var, env_http_headers, ${VAR}).
import type { RawServer } from "../config/schema.ts";
import { ConnectionError } from "../errors.ts";
import { terminalLine } from "../text/sanitize.ts";
import type { InstallOption } from "./choose.ts";
import { type InputResolver, referencedVariable } from "./inputs.ts";
import type { RegistryArgument, RegistryKeyValue, RegistryPackage, RegistryTransport } from "./server-json.ts";

/** Values given on the command line that server.json does not declare, passed on as they are. */
export interface ExtraValues {
  env: Record<string, string>;
  headers: Record<string, string>;
}

export async function buildEntry(option: InstallOption, inputs: InputResolver, extra: ExtraValues): Promise<RawServer> {
  return option.kind === "remote" ? buildRemoteEntry(option.remote, inputs, extra) : buildPackageEntry(option.kind, option.pkg, inputs, extra);
}

async function buildRemoteEntry(remote: RegistryTransport, inputs: InputResolver, extra: ExtraValues): Promise<RawServer> {
  const entry: RawServer = { url: await inputs.substitute(remote.url ?? "", remote.variables) };
  const headers: [string, string][] = [];
  for (const header of remote.headers ?? []) {
    const value = await inputs.resolve("header", header.name, header);
    if (value !== undefined) headers.push([header.name, value]);
  }
  const declared = new Set(headers.map(([name]) => name.toLowerCase()));
  headers.push(...Object.entries(extra.headers).filter(([name]) => !declared.has(name.toLowerCase())));
  for (const [name, value] of headers) {
    const variable = referencedVariable(value);
    const bearer = value.startsWith("Bearer ") ? referencedVariable(value.slice("Bearer ".length)) : undefined;
    if (name.toLowerCase() === "authorization" && bearer) entry.bearer_token_env_var = bearer;
    else if (variable) (entry.env_http_headers ??= {})[name] = variable;
    else (entry.http_headers ??= {})[name] = value;
  }
  return entry;
}

async function buildPackageEntry(kind: "npm" | "pypi" | "oci", pkg: RegistryPackage, inputs: InputResolver, extra: ExtraValues): Promise<RawServer> {
  checkPackageName(kind, pkg);
  const runtimeArgs = await resolveArguments(pkg.runtimeArguments ?? [], inputs);
  const packageArgs = await resolveArguments(pkg.packageArguments ?? [], inputs);
  const { env, envVars } = await resolveEnvironment(pkg.environmentVariables ?? [], inputs, extra.env);
  const entry: RawServer = commandFor(kind, pkg, runtimeArgs, packageArgs, [...Object.keys(env), ...envVars]);
  if (Object.keys(env).length > 0) entry.env = env;
  if (envVars.length > 0) entry.env_vars = envVars;
  return entry;
}

function commandFor(kind: "npm" | "pypi" | "oci", pkg: RegistryPackage, runtimeArgs: string[], packageArgs: string[], envNames: string[]): RawServer {
  const version = pkg.version;
  if (kind === "npm") return { command: "npx", args: ["-y", ...runtimeArgs, version ? `${pkg.identifier}@${version}` : pkg.identifier, ...packageArgs] };
  if (kind === "pypi") return { command: "uvx", args: [...runtimeArgs, version ? `${pkg.identifier}==${version}` : pkg.identifier, ...packageArgs] };
  // A container sees only the variables named with -e (each taken from docker's own environment,
  // which tether sets from env and env_vars): no value ever appears on the command line.
  const env = envNames.flatMap((name) => ["-e", name]);
  return { command: "docker", args: ["run", "-i", "--rm", ...runtimeArgs, ...env, imageReference(pkg.identifier, version), ...packageArgs] };
}

/**
 * The package name and version go on npx's, uvx's or docker's command line: one that is not a
 * name of its registry (`--registry=…`, `-e`, spaces) would be read as an option of the runtime.
 */
const PACKAGE_NAME: Record<"npm" | "pypi" | "oci", RegExp> = {
  npm: /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/i,
  pypi: /^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?$/,
  oci: /^[A-Za-z0-9][A-Za-z0-9._\/:@-]*$/,
};
const PACKAGE_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

function checkPackageName(kind: "npm" | "pypi" | "oci", pkg: RegistryPackage): void {
  const bad = !PACKAGE_NAME[kind].test(pkg.identifier) ? `identifier "${pkg.identifier}"` : pkg.version !== undefined && !PACKAGE_VERSION.test(pkg.version) ? `version "${pkg.version}"` : undefined;
  if (!bad) return;
  throw new ConnectionError(`the registry's ${kind} package has an ${terminalLine(bad, 200)} that is not a valid ${kind} ${bad.startsWith("version") ? "version" : "name"}; tether will not run it`, {
    hint: "choose another option with --package, or add the server by hand: tether mcp add NAME -- COMMAND",
  });
}

/** Since schema 2025-10-11 the tag is in the identifier; older entries gave it as `version`. */
function imageReference(identifier: string, version: string | undefined): string {
  const lastSegment = identifier.split("/").at(-1) ?? identifier;
  if (!version || lastSegment.includes(":") || identifier.includes("@")) return identifier;
  return `${identifier}:${version}`;
}

async function resolveArguments(list: RegistryArgument[], inputs: InputResolver): Promise<string[]> {
  const args: string[] = [];
  for (const arg of list) {
    if (arg.type === "positional") {
      const value = await inputs.resolve("argument", arg.valueHint ?? "", arg);
      if (value !== undefined) args.push(value);
      continue;
    }
    const flag = arg.name ?? "";
    const value = await inputs.resolve("argument", flag.replace(/^-+/, ""), arg);
    if (value !== undefined) args.push(flag, value);
  }
  return args;
}

async function resolveEnvironment(
  list: RegistryKeyValue[],
  inputs: InputResolver,
  extra: Record<string, string>,
): Promise<{ env: Record<string, string>; envVars: string[] }> {
  const env: Record<string, string> = {};
  const envVars: string[] = [];
  for (const variable of list) {
    const value = await inputs.resolve("env", variable.name, variable);
    if (value === undefined) continue;
    // `${SAME_NAME}` is what env_vars says more plainly: copy it from tether's environment.
    if (referencedVariable(value) === variable.name) envVars.push(variable.name);
    else env[variable.name] = value;
  }
  const declared = new Set(list.map((v) => v.name));
  for (const [name, value] of Object.entries(extra)) if (!declared.has(name)) env[name] = value;
  return { env, envVars };
}
