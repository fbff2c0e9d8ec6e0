// AWS credentials from an identity pool with @aws-sdk/credential-providers, for a guest
// or for a user signed in with amazon-cognito-identity-js (USER_SRP_AUTH); prints one
// JSON line: {"ok": true, "identityId", "accessKeyId", "sessionToken", "expiration"}
// or {"ok": false, "code", "message"}.
// Usage: node identity_credentials.mjs <endpoint> <identityPoolId> <identityId|-> [<userPoolId> <clientId> <username> <password>]
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";
import { fromCognitoIdentity, fromCognitoIdentityPool } from "@aws-sdk/credential-providers";

const [endpoint, identityPoolId, identityId, UserPoolId, ClientId, Username, Password] = process.argv.slice(2);
const clientConfig = { endpoint, region: "us-east-1" };

const done = (result) => {
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
};

const signIn = () =>
  new Promise((resolve, reject) => {
    const pool = new CognitoUserPool({ UserPoolId, ClientId, endpoint });
    const user = new CognitoUser({ Username, Pool: pool });
    user.authenticateUser(new AuthenticationDetails({ Username, Password }), {
      onSuccess: (session) => resolve(session.getIdToken().getJwtToken()),
      onFailure: reject,
    });
  });

try {
  const logins = {};
  if (Username) {
    logins[`cognito-idp.us-east-1.amazonaws.com/${UserPoolId}`] = await signIn();
  }
  const provider =
    identityId === "-"
      ? fromCognitoIdentityPool({ identityPoolId, logins, clientConfig })
      : fromCognitoIdentity({ identityId, logins, clientConfig });
  const creds = await provider();
  done({
    ok: true,
    identityId: creds.identityId,
    accessKeyId: creds.accessKeyId,
    sessionToken: creds.sessionToken,
    expiration: creds.expiration && creds.expiration.toISOString(),
  });
} catch (err) {
  done({ ok: false, code: err.name || err.code, message: err.message });
}
