// What tether stores per server after an OAuth login, the store interface, and the store key.
import { isPlainObject } from "../../values.ts";
import type { DpopAlg, OAuthClientInformationMixed, OAuthTokens } from "@modelcontextprotocol/client";

/** Tokens as stored: the token response without `expires_in` (kept as absolute `expiresAt`). */
export type StoredTokens = Omit<OAuthTokens, "expires_in">;

/** Everything tether keeps for one server's OAuth login (SPEC §5). */
export interface StoredCredentials {
  serverName: string;
  serverUrl: string;
  resourceUrl?: string;
  /** From dynamic registration, or the static client of the config. */
  clientInformation?: OAuthClientInformationMixed;
  tokens?: StoredTokens;
  /** When the access token expires, ms since the epoch. */
  expiresAt?: number;
  scopes?: string[];
  /** DPoP (RFC 9449): the key pair the tokens are bound to, made by the login that got them (../dpop.ts). */
  dpopKey?: StoredDpopKey;
  /** When this entry was written, ms since the epoch. */
  savedAt: number;
}

/** A DPoP key pair as stored: the private JWK (its public members included). A secret: never printed. */
export interface StoredDpopKey {
  alg: DpopAlg;
  jwk: JsonWebKey;
}

/** The JWK members that are public; every other member of a private JWK (d, p, q, dp, dq, qi, oth) is secret. */
export const PUBLIC_JWK_MEMBERS = ["kty", "crv", "x", "y", "n", "e"] as const;

export interface CredentialStore {
  /** Where credentials currently go; an auto store reports "file" once it has fallen back; "redis": serve's shared state. */
  readonly kind: "keyring" | "file" | "redis";
  load(key: string): Promise<StoredCredentials | undefined>;
  save(key: string, credentials: StoredCredentials): Promise<void>;
  /** Removes the entry; true if it existed. In auto and keyring mode it removes it from both stores. */
  delete(key: string): Promise<boolean>;
  /**
   * Runs `fn` holding the entry's refresh lock, for a store shared beyond this machine (serve's
   * Redis store); absent: the file lock under $TETHER_HOME (../refresh-lock.ts) is the lock.
   */
  withRefreshLock?<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** `<server name>|<first 16 hex of sha256(url)>`, so a changed URL never reuses old tokens. */
export function credentialStoreKey(serverName: string, serverUrl: string): string {
  const digest = new Bun.CryptoHasher("sha256").update(serverUrl).digest("hex");
  return `${serverName}|${digest.slice(0, 16)}`;
}

/** The server name part of a store key, for messages. */
export function serverNameOfKey(key: string): string {
  return key.split("|")[0] ?? key;
}

/** Checks the shape of a stored entry just enough that callers can trust its types. */
export function isStoredCredentials(value: unknown): value is StoredCredentials {
  if (!isPlainObject(value)) return false;
  if (typeof value.serverName !== "string" || typeof value.serverUrl !== "string") return false;
  if (typeof value.savedAt !== "number") return false;
  if (value.expiresAt !== undefined && typeof value.expiresAt !== "number") return false;
  if (value.scopes !== undefined && !(Array.isArray(value.scopes) && value.scopes.every((s) => typeof s === "string"))) {
    return false;
  }
  if (value.tokens !== undefined) {
    const tokens = value.tokens;
    if (!isPlainObject(tokens) || typeof tokens.access_token !== "string" || typeof tokens.token_type !== "string") return false;
  }
  if (value.clientInformation !== undefined) {
    if (!isPlainObject(value.clientInformation) || typeof value.clientInformation.client_id !== "string") return false;
  }
  if (value.dpopKey !== undefined && !isStoredDpopKey(value.dpopKey)) return false;
  return true;
}

function isStoredDpopKey(value: unknown): value is StoredDpopKey {
  if (!isPlainObject(value) || typeof value.alg !== "string") return false;
  return isPlainObject(value.jwk) && typeof value.jwk.kty === "string" && typeof value.jwk.d === "string";
}

/** The private members of a stored DPoP key. */
function dpopKeySecrets(stored: StoredDpopKey | undefined): string[] {
  if (!stored) return [];
  const jwk = stored.jwk as Record<string, unknown>;
  return Object.keys(jwk)
    .filter((member) => !(PUBLIC_JWK_MEMBERS as readonly string[]).includes(member))
    .map((member) => jwk[member])
    .filter((value): value is string => typeof value === "string");
}


/** The secret strings inside an entry, so error text built from foreign messages can be scrubbed. */
export function secretsOf(credentials: StoredCredentials): string[] {
  const { tokens, clientInformation } = credentials;
  const secrets = [tokens?.access_token, tokens?.refresh_token, tokens?.id_token, clientInformation?.client_secret, ...dpopKeySecrets(credentials.dpopKey)];
  return secrets.filter((s): s is string => typeof s === "string" && s.length > 0);
}

/** Replaces every secret of `credentials` in `text` with `[redacted]`. */
export function redactSecrets(text: string, credentials: StoredCredentials): string {
  let redacted = text;
  for (const secret of secretsOf(credentials)) redacted = redacted.split(secret).join("[redacted]");
  return redacted;
}
