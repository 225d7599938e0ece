// Runs one Lambda function's bundle inside a worker thread, as the Node.js runtime would: the
// module is loaded once (a cold start), then each message from the host is one invocation.
const { parentPort, workerData } = require('node:worker_threads');

if (workerData.sourceMaps) process.setSourceMapsEnabled(true);

let handler;
try {
  handler = require(workerData.modulePath)[workerData.exportName];
  if (typeof handler !== 'function') throw new Error(`${workerData.exportName} is not a function`);
} catch (error) {
  parentPort.postMessage({ init: false, error: { name: error.name, message: error.message } });
  throw error;
}
parentPort.postMessage({ init: true });

parentPort.on('message', async ({ id, event, context }) => {
  const invocationContext = {
    ...context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, context.deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  try {
    const result = await handler(event, invocationContext);
    parentPort.postMessage({ id, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ id, ok: false, error: { name: e.name, message: e.message, stack: e.stack } });
  }
});
