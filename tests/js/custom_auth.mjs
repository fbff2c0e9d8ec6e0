// CUSTOM_AUTH with amazon-cognito-identity-js against an endpoint: answers each
// customChallenge with the next of the given answers; prints one JSON line
// {"ok": true, "idToken": ..., "challenges": [...]} or {"ok": false, "code": ...}.
// Usage: node custom_auth.mjs <endpoint> <poolId> <clientId> <username> <password|-> <answer>...
// A password makes it CUSTOM_WITH_SRP (SRP_A first, then the custom challenges).
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";

const [endpoint, UserPoolId, ClientId, Username, Password, ...answers] = process.argv.slice(2);
const pool = new CognitoUserPool({ UserPoolId, ClientId, endpoint });
const user = new CognitoUser({ Username, Pool: pool });
user.setAuthenticationFlowType("CUSTOM_AUTH");
const details = new AuthenticationDetails(Password === "-" ? { Username } : { Username, Password });
const challenges = [];

const done = (result) => {
  process.stdout.write(JSON.stringify({ ...result, challenges }) + "\n");
  process.exit(0);
};

const callbacks = {
  onSuccess: (session) => done({ ok: true, idToken: session.getIdToken().getJwtToken() }),
  onFailure: (err) => done({ ok: false, code: err.code || err.name, message: err.message }),
  customChallenge(parameters) {
    challenges.push(parameters);
    const answer = answers.shift();
    if (answer === undefined) return done({ ok: false, code: "NO_ANSWER_LEFT" });
    user.sendCustomChallengeAnswer(answer, callbacks);
  },
};

if (Password === "-") user.initiateAuth(details, callbacks);
else user.authenticateUser(details, callbacks);
