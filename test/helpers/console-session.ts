// Signing in to the console with the operator's admin token, as a test that drives the console
// of a running app needs to before each page.

/** The session's cookie, and where the console sent the new session. */
export async function signInWithToken(baseUrl: string, token: string): Promise<{ cookie: string; location: string | null }> {
  const response = await fetch(`${baseUrl}/console/signin/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token }), redirect: "manual" });
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error(`signing in with the admin token answered ${response.status} without a session`);
  return { cookie, location: response.headers.get("location") };
}
