// Where an imported server's secrets go instead of config.toml: a reference to an environment
// variable (env_vars, bearer_token_env_var, env_http_headers, `${NAME_…}` in args and the url) and
// a note naming the variable to set. What counts as a secret is ./secrets.ts's to say. Pure.
import type { RawServer } from "../config/schema.ts";
import { isPlainlyHarmless, isReference, isSecretName, isSecretQueryValue, looksSecret } from "./secrets.ts";

/** Keys that name an object's prototype in JavaScript: never a setting, never copied. */
export const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `NAME_WHAT` in the shape of an environment variable (`${…}` needs a leading letter or `_`). */
export function envVarFor(server: string, what: string): string {
  const name = `${server}_${what}`.toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** The one variable a value consists of (`${VAR}` after conversion), if it is only that. */
export function onlyVariable(value: string): string | undefined {
  return /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value)?.[1];
}

/** Placeholders of the other app tether cannot resolve (`${input:…}`, `${workspaceFolder}`, …). */
export function unresolvable(value: string): string | undefined {
  return /\$\{(input:[^}]*|workspaceFolder[^}]*|userHome|cwd|fileDirname|[a-zA-Z]+:[^}]*)\}/.exec(value)?.[0];
}

/** Where a server's secrets go instead of config.toml: variables named after the server, each named in a note. */
export class References {
  private readonly used = new Set<string>();
  constructor(
    private readonly server: string,
    private readonly attention: string[],
  ) {}

  /** A new `NAME_WHAT` variable (made distinct within the server) with a note; returns its name. */
  variable(what: string, description: string, was?: string): string {
    const base = envVarFor(this.server, what);
    let name = base;
    for (let n = 2; this.used.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    this.attention.push(`set ${name} to ${description} (${was ? `was ${was}` : "not copied"})`);
    return name;
  }

  /** The same, as a `${VAR}` reference for a string. */
  reference(what: string, description: string, was?: string): string {
    return `\${${this.variable(what, description, was)}}`;
  }
}

/** A key that cannot be copied as it is, and why; undefined when it can. */
function oddKey(where: string, key: string, valid: boolean): string | undefined {
  if (PROTOTYPE_KEYS.has(key)) return `${where} ${JSON.stringify(key)} not imported (a reserved name)`;
  if (!valid) return `${where} ${JSON.stringify(key)} not imported (not a valid name)`;
  return undefined;
}

/**
 * Env values stay in config.toml when they are references or plainly harmless (under a name that
 * does not look secret); any other value stays behind, and tether copies the variable from its own
 * environment instead (env_vars).
 */
export function mapEnv(env: [string, string][] | undefined, server: RawServer, attention: string[]): void {
  if (!env) return;
  const plain: Record<string, string> = {};
  const passThrough: string[] = [];
  for (const [key, value] of env) {
    const odd = oddKey("env key", key, key !== "" && !/[=\0]/.test(key));
    if (odd) {
      attention.push(odd);
      continue;
    }
    const variable = onlyVariable(value);
    const placeholder = unresolvable(value);
    if (variable === key) passThrough.push(key);
    else if (variable !== undefined) plain[key] = value;
    else if (placeholder || isSecretValue(key, value)) {
      passThrough.push(key);
      attention.push(placeholder ? `set ${key} (was ${placeholder})` : `set ${key} in tether's environment (secret not copied)`);
    } else plain[key] = value;
  }
  if (Object.keys(plain).length > 0) server.env = plain;
  if (passThrough.length > 0) server.env_vars = [...new Set(passThrough)];
}

/** A value under `name` (env key, header, `KEY=` of an argument) that must not be copied. */
function isSecretValue(name: string, value: string): boolean {
  if (isSecretName(name)) return !(value.includes("${") && isPlainlyHarmless(value)) && value !== "";
  return !isPlainlyHarmless(value);
}

export function mapHeaders(headers: [string, string][] | undefined, server: RawServer, refs: References, attention: string[]): void {
  if (!headers) return;
  const plain: Record<string, string> = {};
  const fromEnv: Record<string, string> = {};
  for (const [header, value] of headers) {
    const odd = oddKey("header", header, HEADER_NAME.test(header));
    if (odd) {
      attention.push(odd);
      continue;
    }
    if (header.toLowerCase() === "authorization") {
      const bearer = /^Bearer\s+(.*)$/i.exec(value)?.[1]?.trim();
      if (bearer !== undefined) {
        server.bearer_token_env_var = onlyVariable(bearer) ?? refs.variable("token", "the bearer token", unresolvable(bearer));
        continue;
      }
    }
    const variable = onlyVariable(value);
    const placeholder = unresolvable(value);
    if (variable) fromEnv[header] = variable;
    else if (placeholder || isSecretValue(header, value)) fromEnv[header] = refs.variable(header, `the ${header} header value`, placeholder);
    else plain[header] = value;
  }
  if (Object.keys(plain).length > 0) server.http_headers = plain;
  if (Object.keys(fromEnv).length > 0) server.env_http_headers = fromEnv;
}

/**
 * Arguments: the value after a secret-named flag (`--api-key X`, `--token=X`), a `KEY=value`
 * whose value is not plainly harmless, and any secret-looking value become `${NAME_…}` references,
 * which tether expands from its environment when it starts the server.
 */
export function mapArgs(args: string[], refs: References): string[] {
  const out: string[] = [];
  // The flag just before an argument: it names the argument's variable, and a secret one makes it secret.
  let previous: string | undefined;
  for (const [i, arg] of args.entries()) {
    const flag = previous;
    previous = undefined;
    const placeholder = unresolvable(arg);
    const flagValue = /^(--?[A-Za-z][A-Za-z0-9_.-]*)=(.*)$/s.exec(arg);
    const pair = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/s.exec(arg);
    if (flagValue) {
      const [, name, value] = flagValue as unknown as [string, string, string];
      const secret = unresolvable(value) || (isSecretName(name) ? !isReference(value) && value !== "" : looksSecret(value));
      out.push(secret ? `${name}=${refs.reference(name, `the ${name} argument`, unresolvable(value))}` : arg);
    } else if (/^--?[A-Za-z]/.test(arg)) {
      previous = arg;
      out.push(arg);
    } else if (pair && !placeholder) {
      const [, key, value] = pair as unknown as [string, string, string];
      out.push(isSecretValue(key, value) ? `${key}=${refs.reference(key, `the ${key}= argument`)}` : arg);
    } else if ((flag !== undefined && isSecretName(flag)) ? !isReference(arg) && arg !== "" : placeholder || looksSecret(arg)) {
      out.push(flag ? refs.reference(flag, `the ${flag} argument`, placeholder) : refs.reference(`arg ${i + 1}`, `argument ${i + 1}`, placeholder));
    } else out.push(arg);
  }
  return out;
}

/**
 * A URL's user:password (a user name only when it looks like a token) and its query values
 * become `${NAME_…}` references; the rest of the URL is kept as written.
 */
export function mapUrl(url: string, refs: References): string {
  let out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i, (_, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    const password = colon < 0 ? undefined : userinfo.slice(colon + 1);
    const keptUser = user === "" || isReference(decode(user)) || !looksSecret(decode(user)) ? user : refs.reference("url user", "the URL's user name, percent-encoded");
    const keptPassword = password === undefined || password === "" || isReference(decode(password)) ? password : refs.reference("url password", "the URL's password, percent-encoded");
    return `${scheme}${keptUser}${keptPassword === undefined ? "" : `:${keptPassword}`}@`;
  });
  const query = /^([^?#]*\?)([^#]*)(#.*)?$/s.exec(out);
  if (query) {
    const pairs = query[2]!.split("&").map((pair) => {
      const eq = pair.indexOf("=");
      if (eq < 0) return pair;
      const key = pair.slice(0, eq);
      const value = decode(pair.slice(eq + 1));
      if (!isSecretQueryValue(decode(key), value)) return pair;
      return `${key}=${refs.reference(decode(key), `the URL's ${decode(key)} query value, percent-encoded`)}`;
    });
    out = query[1]! + pairs.join("&") + (query[3] ?? "");
  }
  return out;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}
