// What `mcp import` treats as a secret: the one definition. A value is secret-looking when the
// name it sits under says so (an env key, a header, a flag, a URL query key), when its shape says
// so (a known token prefix, a long high-entropy run of letters and digits, a URL with a password or
// a query), or, for env and header values, when it is not plainly harmless. Pure.

/** Words that make a name secret: `GITHUB_TOKEN`, `X-Api-Key`, `--client-secret`, `?sig=`. */
const SECRET_WORDS = new Set([
  "token", "secret", "password", "passwd", "pwd", "passphrase", "key", "apikey", "auth", "authorization",
  "credential", "credentials", "creds", "pat", "bearer", "cookie", "session", "sid", "sig", "signature", "jwt",
  "privatekey", "accesskey", "dsn", "otp", "totp", "salt",
]);

/** Substrings that make a name secret even inside one word (`AUTHTOKEN`, `mysecret`, `apikey2`). */
const SECRET_PARTS = /token|secret|passw|apikey|credential|bearer|cookie/i;

/**
 * A last word that makes the name about a secret rather than the secret itself: `TOKEN_FILE`,
 * `AUTH_URL`, `SESSION_TIMEOUT`, `KEY_ID` hold paths, addresses, numbers and ids.
 */
const NOT_THE_SECRET = new Set([
  "file", "path", "dir", "url", "uri", "endpoint", "host", "port", "name", "id", "type", "mode", "timeout", "ttl",
  "header", "env", "var", "enabled", "disabled", "required", "length", "size", "method", "scheme", "provider",
  "server", "issuer", "audience", "scope", "scopes", "expiry", "expires", "format", "algorithm", "alg", "level",
  "limit", "count", "max", "min", "budget", "sock", "socket",
]);

/** The words of a name: split at `-`, `_`, `.`, spaces and camelCase humps, lower-cased. */
function wordsOf(name: string): string[] {
  return name
    .replace(/^-+/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== "")
    .map((word) => word.toLowerCase());
}

/** Whether values under this name (env key, header, flag without its dashes, query key) are credentials. */
export function isSecretName(name: string): boolean {
  const words = wordsOf(name);
  if (words.length === 0 || NOT_THE_SECRET.has(words.at(-1)!)) return false;
  return words.some((word) => SECRET_WORDS.has(word)) || SECRET_PARTS.test(name);
}

/** Prefixes of tokens issued by well-known services (GitHub, OpenAI, Slack, AWS, GitLab, Stripe, …). */
const TOKEN_PREFIX =
  /(^|[^A-Za-z0-9])(gh[pousr]_|github_pat_|glpat-|glptt-|gldt-|sk-|sk_live_|sk_test_|rk_live_|rk_test_|whsec_|xox[abposr]-|xapp-|AKIA|ASIA|AIza|ya29\.|eyJ|npm_|pypi-|hf_|sntrys_|sntryu_|figd_|shpat_|shpss_|dop_v1_|lin_api_|SG\.|ATATT|glc_|pk\.eyJ)[A-Za-z0-9_\-.=+/]{8,}/;

/** `Bearer …`, `Basic …`, `Token …`: an Authorization scheme followed by its credential. */
const AUTH_SCHEME = /\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=-]{8,}/i;

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

/**
 * A long random-looking run: at least 16 characters between separators with letters and digits,
 * varied enough (≥ 3.2 bits per character) that it is not a word, a version or a date; or a
 * base64 run of 32 and more, slashes included, mixing cases and digits (≥ 4.2 bits). Paths,
 * package names, image names and UUIDs (their parts are shorter) pass, and so do content digests
 * (`sha256:…`), which pin a version rather than grant access.
 */
function hasRandomRun(value: string): boolean {
  const text = value.replace(/\bsha(1|256|384|512):[0-9a-f]+/gi, " ");
  for (const run of text.split(/[^A-Za-z0-9+=]+/)) {
    if (run.length >= 16 && /[A-Za-z]/.test(run) && /[0-9]/.test(run) && entropy(run) >= 3.2) return true;
  }
  for (const run of text.split(/[^A-Za-z0-9+/=]+/)) {
    if (run.length >= 32 && !run.startsWith("/") && /[a-z]/.test(run) && /[A-Z]/.test(run) && /[0-9]/.test(run) && entropy(run) >= 4.2) return true;
  }
  return false;
}

/** `${VAR}` and `${VAR:-default}` references are names of secrets, never secrets: left out of every check. */
function withoutReferences(value: string): string {
  return value.replace(/\$\{[^}]*\}/g, " ");
}

/** A URL carrying a credential: a user:password (or a token as the user name) or a query value. */
export function urlCarriesSecret(value: string): boolean {
  const url = parseUrl(value);
  if (!url) return false;
  if (url.password !== "" && !isReference(decodeURIComponent(url.password))) return true;
  if (url.username !== "" && looksSecret(decodeURIComponent(url.username))) return true;
  for (const [key, query] of url.searchParams) if (isSecretQueryValue(key, query)) return true;
  return false;
}

/**
 * Whether a URL's query value is kept out of config.toml: any value but a number, a boolean or a
 * reference (a query is where apps put keys that no header would carry).
 */
export function isSecretQueryValue(key: string, value: string): boolean {
  if (isReference(value)) return false;
  return isSecretName(key) || !(isNumber(value) || isBoolean(value) || value === "");
}

/** Whether the value alone says it is a credential, wherever it appears. */
export function looksSecret(value: string): boolean {
  // Short values (most flags, ports, levels) are too short for any of the shapes below.
  if (value.length < 10 && !value.includes("://")) return false;
  const text = value.includes("${") ? withoutReferences(value) : value;
  return TOKEN_PREFIX.test(text) || AUTH_SCHEME.test(text) || (text.length >= 16 && hasRandomRun(text)) || (value.includes("://") && urlCarriesSecret(value));
}

/**
 * Env and header values under names that do not look secret are copied only when plainly
 * harmless: a number, a boolean, a short word (`info`, `eu-west-1`, `application/json`), a path,
 * a URL without credentials, a reference, or nothing; and not secret-looking. Text around
 * references (`Bearer ${TOKEN}`, `${HOME}/data`) is judged word by word.
 */
export function isPlainlyHarmless(value: string): boolean {
  if (looksSecret(value)) return false;
  const literals = value.split(REFERENCES);
  if (literals.length === 1) return isHarmlessWord(value.trim());
  return literals.every((part) => part.trim().split(/\s+/).every((word) => word === "" || isHarmlessWord(word)));
}

const REFERENCES = /\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}/;

function isHarmlessWord(text: string): boolean {
  if (text === "" || isNumber(text) || isBoolean(text)) return true;
  if (/^[A-Za-z0-9@-][A-Za-z0-9._,:@+/=-]{0,63}$/.test(text)) return true;
  return isPath(text) || parseUrl(text) !== undefined;
}

/** Whether a whole value is one `${VAR}` (or `${VAR:-default}`) reference. */
export function isReference(value: string): boolean {
  return /^\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$/.test(value.trim());
}

function isNumber(value: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(value);
}

function isBoolean(value: string): boolean {
  return /^(true|false|yes|no|on|off)$/i.test(value);
}

/** Absolute, relative, home, Windows and `${VAR}/…` paths. */
function isPath(value: string): boolean {
  return /^(\/|\.{1,2}[/\\]|~[/\\]|[A-Za-z]:[/\\]|\\\\|%[A-Za-z_]+%[/\\]|\$\{[A-Za-z_][A-Za-z0-9_]*\}[/\\])/.test(value) && !/[\n\r]/.test(value);
}

function parseUrl(value: string): URL | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim())) return undefined;
  try {
    return new URL(value.trim());
  } catch {
    return undefined;
  }
}
