// Runs kinesalite on a thread of its own, so that its work (every record put, read and stored)
// runs beside the endpoint's instead of in turn with it. The host asks for it with
// { start: true, dir, port } and is told { started: true, url } or { started: true, error: { code,
// message } }; { stop: true } closes it (its LevelDB store first) and answers { stopped: true }.
const { parentPort } = require('node:worker_threads');

require('tsx/cjs');
const { makeKinesaliteSequencesFast } = require('./kinesalite-sequences.ts');

const servers = [];

function create(dir) {
  // The same sequence numbers, without bignumber.js arithmetic on every record.
  makeKinesaliteSequencesFast();
  return require('kinesalite')({
    path: dir,
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 500,
  });
}

function close(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

parentPort.on('message', async (message) => {
  if (message.stop) {
    for (const server of servers.splice(0).reverse()) await close(server).catch(() => undefined);
    parentPort.postMessage({ stopped: true });
    return;
  }
  const { dir, port } = message;
  try {
    const server = create(dir);
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    servers.push(server);
    parentPort.postMessage({ started: true, url: `http://127.0.0.1:${server.address().port}` });
  } catch (error) {
    parentPort.postMessage({ started: true, error: { code: error.code, message: error.message } });
  }
});
