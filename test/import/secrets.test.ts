// The one definition of "secret-looking" for mcp import: ordinary values (paths, ports, log
// levels, regions, images) are no secrets; tokens by their prefix or shape, and URLs with
// credentials, are, wherever they appear.
import { expect, test } from "bun:test";
import { isPlainlyHarmless, isSecretName, looksSecret } from "../../src/import/secrets.ts";

const ORDINARY = [
  "info", "debug", "3000", "8080", "true", "production", "eu-west-1", "Europe/Paris", "application/json", "alpha,beta",
  "/home/ada/projects/project-123/src", "C:\\Users\\Ada Lovelace\\Documents", "~/data", "${HOME}/data", "Bearer ${TOKEN}",
  "https://api.example.com/v1", "@modelcontextprotocol/server-filesystem", "python3.11", "mcp-server-2024-11-05",
  "--max-old-space-size=4096", "ghcr.io/github/github-mcp-server:v0.1.0", "MyVeryLongCamelCaseServerName",
];

const SECRET = [
  "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "github_pat_11ABCDEFG0123456789_abcdefghij", "sk-proj-abcdefghij0123456789",
  "xoxb-1234567890-abcdefghij", "AKIAIOSFODNN7EXAMPLE", "glpat-abcdefghij1234567890", "q8Zr4LmN2vX7pK1sT9wB",
  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "https://user:pa55word@db.example.com/x", "https://h.example.com/mcp?key=abc",
  "Authorization: Bearer abcdefghijklmnop",
];

test("ordinary values are plainly harmless and do not look secret", () => {
  for (const value of ORDINARY) expect({ value, harmless: isPlainlyHarmless(value), secret: looksSecret(value) }).toEqual({ value, harmless: true, secret: false });
});

test("tokens by prefix or shape, and URLs with credentials, look secret", () => {
  for (const value of SECRET) expect({ value, secret: looksSecret(value) }).toEqual({ value, secret: true });
});

test("secret names, and names about a secret that hold none (files, URLs, ids, limits)", () => {
  for (const name of ["GITHUB_TOKEN", "X-Api-Key", "--api-key", "--token", "Cookie", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "apiKey", "GITHUB_PAT", "key"]) {
    expect({ name, secret: isSecretName(name) }).toEqual({ name, secret: true });
  }
  for (const name of ["LOG_LEVEL", "PORT", "PATH", "TOKEN_FILE", "AUTH_URL", "--token-limit", "SESSION_ID", "SSH_AUTH_SOCK", "--keyboard", "X-Request-Id", "--auth-mode"]) {
    expect({ name, secret: isSecretName(name) }).toEqual({ name, secret: false });
  }
});
