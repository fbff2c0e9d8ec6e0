// amazon-cognito-identity-js against an endpoint, on a pool that tracks devices: sign in (the
// library confirms the new device itself), remember it, list it, sign in again on it
// (DEVICE_SRP_AUTH), enableMFA / getMFAOptions / disableMFA (SetUserSettings), refreshSession,
// forget the device. Prints one JSON line of what it saw.
// Usage: node devices_journey.mjs <endpoint> <poolId> <clientId> <username> <password>
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";

const [endpoint, UserPoolId, ClientId, Username, Password] = process.argv.slice(2);
const pool = new CognitoUserPool({ UserPoolId, ClientId, endpoint });
const details = new AuthenticationDetails({ Username, Password });

const node = (fn) => new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
const callbacks = (fn) => new Promise((resolve, reject) => fn({ onSuccess: resolve, onFailure: reject }));

function signIn() {
  // A new CognitoUser each time, as an app starting again would make: the device key and
  // secret come from the library's storage.
  const user = new CognitoUser({ Username, Pool: pool });
  return new Promise((resolve, reject) => {
    user.authenticateUser(details, {
      onSuccess: (session, userConfirmationNecessary) => resolve({ user, session, userConfirmationNecessary }),
      onFailure: reject,
      mfaRequired: () => reject(new Error("SMS_MFA")),
      totpRequired: () => reject(new Error("SOFTWARE_TOKEN_MFA")),
    });
  });
}

const payload = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());

try {
  const out = { ok: true };
  const first = await signIn();
  out.firstConfirmationNecessary = first.userConfirmationNecessary === true;
  out.firstDeviceKeyClaim = payload(first.session.getAccessToken().getJwtToken()).device_key ?? null;
  await callbacks((cb) => first.user.setDeviceStatusRemembered(cb));
  const listed = await new Promise((resolve, reject) =>
    first.user.listDevices(60, null, { onSuccess: resolve, onFailure: reject }));
  out.devices = listed.Devices.map((d) => ({ key: d.DeviceKey, attributes: d.DeviceAttributes }));

  const second = await signIn();
  out.secondDeviceKeyClaim = payload(second.session.getAccessToken().getJwtToken()).device_key ?? null;

  await node((cb) => second.user.enableMFA(cb));
  out.mfaOptions = await node((cb) => second.user.getMFAOptions(cb));
  await node((cb) => second.user.disableMFA(cb));
  out.mfaOptionsAfterDisable = (await node((cb) => second.user.getMFAOptions(cb))) ?? null;

  const refreshed = await node((cb) => second.user.refreshSession(second.session.getRefreshToken(), cb));
  out.refreshedDeviceKeyClaim = payload(refreshed.getAccessToken().getJwtToken()).device_key ?? null;

  await callbacks((cb) => second.user.forgetDevice(cb));
  const after = await new Promise((resolve, reject) =>
    second.user.listDevices(60, null, { onSuccess: resolve, onFailure: reject }));
  out.devicesAfterForget = after.Devices.length;
  process.stdout.write(JSON.stringify(out) + "\n");
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, code: err.code || err.name, message: err.message }) + "\n");
}
