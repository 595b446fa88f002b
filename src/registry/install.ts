// `mcp add NAME --registry SERVER[@VERSION]`: look the server up, choose how to run it, fill its
// inputs, and give back the config.toml entry (the command writes it, or shows it with --dry-run).
import type { RawServer } from "../config/schema.ts";
import type { Context } from "../context.ts";
import { UsageError } from "../errors.ts";
import { terminalLine } from "../text/sanitize.ts";
import { type InstallKind, type InstallOption, chooseInstallOption } from "./choose.ts";
import { getRegistryServer } from "./client.ts";
import { buildEntry } from "./entry.ts";
import { type AskInput, describeInput, flagFor, InputResolver, type SuppliedValues } from "./inputs.ts";
import type { RegistryEntry } from "./server-json.ts";

/** server.json's name pattern: a reverse-DNS namespace, one slash, a server name. */
const REGISTRY_NAME = /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/;

export interface RegistryInstallOptions {
  /** The new entry's name in config.toml. */
  entryName: string;
  /** `SERVER[@VERSION]` as typed. */
  ref: string;
  kind?: InstallKind;
  supplied: SuppliedValues;
}

export interface RegistryInstallPlan {
  entry: RawServer;
  source: RegistryEntry;
  option: InstallOption;
  /** Env vars the entry reads secrets from; the user sets them before using the server. */
  secretVariables: string[];
}

/** `SERVER[@VERSION]` → name and version (`latest` when none is given). */
export function parseRegistryRef(ref: string): { name: string; version: string } {
  const at = ref.lastIndexOf("@");
  const name = at > 0 ? ref.slice(0, at) : ref;
  const version = at > 0 ? ref.slice(at + 1) : "latest";
  if (!REGISTRY_NAME.test(name) || version === "") {
    throw new UsageError(`--registry expects SERVER[@VERSION], a registry name like io.github.owner/server (got "${terminalLine(ref, 100)}")`, {
      hint: "find names with: tether mcp registry search TERM",
    });
  }
  return { name, version };
}

export async function planRegistryInstall(ctx: Context, options: RegistryInstallOptions, ask: AskInput | undefined): Promise<RegistryInstallPlan> {
  const { name, version } = parseRegistryRef(options.ref);
  const { registryUrl } = (await ctx.config()).config;
  const source = await getRegistryServer(ctx, registryUrl, name, version);
  const option = chooseInstallOption(source.server, options.kind);
  checkFlagsFit(name, option, options.supplied);
  const inputs = new InputResolver(options.supplied, ask, options.entryName);
  const entry = await buildEntry(option, inputs, { env: options.supplied.env, headers: options.supplied.headers });
  const unused = inputs.unusedArgs();
  if (unused.length > 0) {
    throw new UsageError(`--arg ${terminalLine(unused[0]!, 100)}: "${terminalLine(name, 200)}" has no argument or variable of that name`, {
      hint: "give environment variables with --env K=V and headers with --header 'K: V'",
    });
  }
  if (inputs.missing.length > 0) throw missingInputs(name, inputs);
  return { entry, source, option, secretVariables: [...inputs.secretVariables] };
}

/** --env only reaches a package, --header only a remote: refused rather than silently dropped. */
function checkFlagsFit(name: string, option: InstallOption, supplied: SuppliedValues): void {
  const remote = option.kind === "remote";
  const flag = remote ? (Object.keys(supplied.env).length > 0 ? "--env" : undefined) : Object.keys(supplied.headers).length > 0 ? "--header" : undefined;
  if (!flag) return;
  throw new UsageError(`${flag} does not apply: "${terminalLine(name, 200)}" is installed as ${remote ? "a remote (it takes --header)" : `the ${option.kind} package (it takes --env)`}`, {
    hint: remote ? "install a package instead with --package npm|pypi|oci" : "install its remote instead with --package remote",
  });
}

function missingInputs(name: string, inputs: InputResolver): UsageError {
  const list = inputs.missing.map((input) => {
    const about = input.description ? ` (${terminalLine(input.description, 80)})` : "";
    return `${describeInput(input)}${about}`;
  });
  return new UsageError(`"${terminalLine(name, 200)}" needs values and there is no terminal to ask for them: ${list.join("; ")}`, {
    hint: `pass them: ${inputs.missing.map((input) => flagFor(input.kind, terminalLine(input.name, 100), "…")).join(" ")}`,
  });
}
