// Amplify v6 in Node on a pool that tracks devices: signIn (Amplify confirms the new device),
// rememberDevice, fetchDevices, signOut and signIn again on the remembered device
// (DEVICE_SRP_AUTH), fetchAuthSession({ forceRefresh: true }) with the device key,
// forgetDevice, signOut({ global: true }). Prints one JSON line of what it saw.
// Usage: node amplify_devices.mjs <endpoint> <poolId> <clientId> <username> <password>
import { Amplify } from "aws-amplify";
import { fetchAuthSession, fetchDevices, forgetDevice, rememberDevice, signIn, signOut } from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";

// Amplify names a new device from the browser's navigator, which Node 20 lacks (without it
// Amplify skips ConfirmDevice silently): a stand-in, as a browser would have.
globalThis.navigator ??= { userAgent: `node/${process.version}` };

const [endpoint, userPoolId, userPoolClientId, username, password] = process.argv.slice(2);
const items = new Map();
// After configure, which sets Amplify's default storage.
Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });
cognitoUserPoolsTokenProvider.setKeyValueStorage({
  setItem: async (key, value) => void items.set(key, value),
  getItem: async (key) => (items.has(key) ? items.get(key) : null),
  removeItem: async (key) => void items.delete(key),
  clear: async () => items.clear(),
});

const deviceKeyClaim = async (forceRefresh = false) =>
  (await fetchAuthSession({ forceRefresh })).tokens.accessToken.payload.device_key ?? null;

let step = "signIn";
const out = { ok: true };
try {
  const first = await signIn({ username, password });
  if (!first.isSignedIn) throw new Error(`not signed in: ${JSON.stringify(first.nextStep)}`);
  out.firstDeviceKeyClaim = await deviceKeyClaim();
  step = "rememberDevice";
  await rememberDevice();
  out.devices = (await fetchDevices()).map((d) => ({ id: d.id, name: d.name, attributes: d.attributes }));
  step = "signIn again";
  await signOut();
  const second = await signIn({ username, password });
  if (!second.isSignedIn) throw new Error(`not signed in again: ${JSON.stringify(second.nextStep)}`);
  out.secondDeviceKeyClaim = await deviceKeyClaim();
  out.refreshedDeviceKeyClaim = await deviceKeyClaim(true);
  await forgetDevice();
  out.devicesAfterForget = (await fetchDevices()).length;
  await signOut({ global: true });
  process.stdout.write(JSON.stringify(out) + "\n");
} catch (err) {
  process.stdout.write(JSON.stringify({ ...out, ok: false, step, name: err.name, message: err.message }) + "\n");
}
