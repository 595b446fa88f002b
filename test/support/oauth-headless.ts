// Headless "browser" for the fixture's auto-approving /authorize: follow it once and read the redirect back.

export interface AuthorizeRedirect {
  /** The Location the authorization server sent the browser to (the client's redirect_uri + query). */
  location: URL;
  code?: string;
  state?: string;
  error?: string;
}

/** GETs the authorization URL without following the redirect, as a browser would before hitting the callback. */
export async function followAuthorizeRedirect(authorizationUrl: URL | string): Promise<AuthorizeRedirect> {
  const response = await fetch(authorizationUrl, { redirect: "manual" });
  const location = response.headers.get("location");
  if (response.status !== 302 || !location) {
    throw new Error(`authorize answered HTTP ${response.status} without a redirect: ${await response.text()}`);
  }
  const target = new URL(location);
  const param = (name: string) => target.searchParams.get(name) ?? undefined;
  return { location: target, code: param("code"), state: param("state"), error: param("error") };
}
