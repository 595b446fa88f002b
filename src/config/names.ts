// Small facts about names and hosts shared by validation, edits and connections. Cheap to import.

export const SERVER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** True for hosts where a token over plain http never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
