// Amplify v6's fetchAuthSession() with an identity pool, as a guest and after signIn
// (USER_SRP_AUTH), both pools' endpoints pointed at the emulator; prints one JSON line:
// {"ok": true, "guest": {...}, "user": {...}} or {"ok": false, "code", "message"}.
// Usage: node amplify_session.mjs <endpoint> <userPoolId> <clientId> <identityPoolId> <username> <password>
import { Amplify } from "aws-amplify";
import { fetchAuthSession, signIn } from "aws-amplify/auth";

const [endpoint, userPoolId, userPoolClientId, identityPoolId, username, password] = process.argv.slice(2);
Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId, userPoolClientId, identityPoolId, allowGuestAccess: true,
      userPoolEndpoint: endpoint, identityPoolEndpoint: endpoint,
    },
  },
});

const seen = (session) => ({
  identityId: session.identityId,
  accessKeyId: session.credentials && session.credentials.accessKeyId,
  sessionToken: session.credentials && session.credentials.sessionToken,
  signedIn: Boolean(session.tokens),
});

try {
  const guest = seen(await fetchAuthSession());
  const result = await signIn({ username, password });
  if (!result.isSignedIn) throw new Error(`not signed in: ${JSON.stringify(result.nextStep)}`);
  const user = seen(await fetchAuthSession());
  process.stdout.write(JSON.stringify({ ok: true, guest, user }) + "\n");
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, code: err.name, message: err.message }) + "\n");
}
process.exit(0);
