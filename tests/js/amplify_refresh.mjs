// Amplify v6 in Node against an endpoint: signIn (SRP), fetchAuthSession({ forceRefresh: true })
// twice (Amplify refreshes only through GetTokensFromRefreshToken), then signOut({ global: true }).
// Prints one JSON line: the refresh token Amplify held after each step and the tokens it got.
// Usage: node amplify_refresh.mjs <endpoint> <poolId> <clientId> <username> <password>
import { Amplify } from "aws-amplify";
import { fetchAuthSession, signIn, signOut } from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";

const [endpoint, userPoolId, userPoolClientId, username, password] = process.argv.slice(2);

// Amplify's own key-value storage interface over a Map, so the refresh token it keeps can be read.
const items = new Map();
const storage = {
  setItem: async (key, value) => void items.set(key, value),
  getItem: async (key) => (items.has(key) ? items.get(key) : null),
  removeItem: async (key) => void items.delete(key),
  clear: async () => items.clear(),
};
const refreshToken = () => {
  for (const [key, value] of items) if (key.endsWith(".refreshToken")) return value;
  return null;
};

Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });
cognitoUserPoolsTokenProvider.setKeyValueStorage(storage);

try {
  const out = { ok: true, refreshTokens: [], accessTokens: [], idTokens: [] };
  const signedIn = await signIn({ username, password });
  if (!signedIn.isSignedIn) throw new Error(`not signed in: ${JSON.stringify(signedIn.nextStep)}`);
  for (const force of [false, true, true]) {
    const session = await fetchAuthSession({ forceRefresh: force });
    out.accessTokens.push(session.tokens.accessToken.toString());
    out.idTokens.push(session.tokens.idToken.toString());
    out.refreshTokens.push(refreshToken());
  }
  await signOut({ global: true });
  out.afterSignOut = refreshToken();
  process.stdout.write(JSON.stringify(out) + "\n");
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, name: err.name, message: err.message }) + "\n");
}
