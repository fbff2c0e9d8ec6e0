// A Node.js trigger that refuses: serverless-offline reports a thrown Error as the
// function's error (a Python handler's exception it reports only as a timeout).
exports.handler = async (event) => {
  throw new Error(`Sign-ups are closed for ${event.userName}`);
};
