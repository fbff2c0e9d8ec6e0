// Amplify v6 signIn with a CUSTOM_* authFlowType against an endpoint; answers each custom
// challenge with the next answer. Prints {"ok": true, "steps": [...]} or {"ok": false, ...}.
// Usage: node custom_auth.mjs <endpoint> <poolId> <clientId> <flowType> <username> <password|-> <answer>...
import { Amplify } from "aws-amplify";
import { confirmSignIn, fetchAuthSession, signIn } from "aws-amplify/auth";

const [endpoint, userPoolId, userPoolClientId, authFlowType, username, password, ...answers] = process.argv.slice(2);
Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });
const steps = [];
try {
  let out = await signIn({ username, ...(password === "-" ? {} : { password }), options: { authFlowType } });
  while (!out.isSignedIn) {
    steps.push({ step: out.nextStep.signInStep, parameters: out.nextStep.additionalInfo ?? null });
    if (out.nextStep.signInStep !== "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE" || answers.length === 0) break;
    out = await confirmSignIn({ challengeResponse: answers.shift() });
  }
  const session = out.isSignedIn ? await fetchAuthSession() : null;
  process.stdout.write(JSON.stringify({ ok: out.isSignedIn, steps,
    idToken: session?.tokens?.idToken?.toString() ?? null }) + "\n");
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, code: err.name, message: err.message, steps }) + "\n");
}
