// Runs kinesalite and dynalite on a thread of their own, so that their work (every record put,
// read and stored) runs beside the endpoint's instead of in turn with it. The host asks for each
// with { start: 'kinesis' | 'dynamodb', dir, port } and is told { started, url } or
// { started, error: { code, message } }; { stop: true } closes them (their LevelDB stores first)
// and answers { stopped: true }.
const { parentPort } = require('node:worker_threads');

require('tsx/cjs');
const { makeKinesaliteSequencesFast } = require('./kinesalite-sequences.ts');

const servers = [];

function create(start, dir) {
  if (start === 'kinesis') {
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
  return require('dynalite')({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
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
  const { start, dir, port } = message;
  try {
    const server = create(start, dir);
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    servers.push(server);
    parentPort.postMessage({ started: start, url: `http://127.0.0.1:${server.address().port}` });
  } catch (error) {
    parentPort.postMessage({ started: start, error: { code: error.code, message: error.message } });
  }
});
