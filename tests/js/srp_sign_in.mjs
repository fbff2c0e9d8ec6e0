// Signs in with amazon-cognito-identity-js (USER_SRP_AUTH by default) against an
// endpoint, and prints one JSON line: {"ok": true, "idToken": ...} or {"ok": false, "code": ...}.
// Usage: node srp_sign_in.mjs <endpoint> <poolId> <clientId> <username> <password>
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";

const [endpoint, UserPoolId, ClientId, Username, Password] = process.argv.slice(2);
const pool = new CognitoUserPool({ UserPoolId, ClientId, endpoint });
const user = new CognitoUser({ Username, Pool: pool });
const details = new AuthenticationDetails({ Username, Password });

const done = (result) => {
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
};

user.authenticateUser(details, {
  onSuccess: (session) =>
    done({
      ok: true,
      idToken: session.getIdToken().getJwtToken(),
      accessToken: session.getAccessToken().getJwtToken(),
      refreshToken: session.getRefreshToken().getToken(),
    }),
  onFailure: (err) => done({ ok: false, code: err.code || err.name, message: err.message }),
  newPasswordRequired: () => done({ ok: false, code: "NEW_PASSWORD_REQUIRED" }),
  mfaRequired: () => done({ ok: false, code: "SMS_MFA" }),
  totpRequired: () => done({ ok: false, code: "SOFTWARE_TOKEN_MFA" }),
});
