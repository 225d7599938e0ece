/**
 * Handler bundle size and cold load time, with the AWS SDK bundled and with it left to the
 * runtime, built with the same esbuild settings as WildRydesFunction.
 *
 *   npx tsx bench/bundles.ts [--runs 15] [--json out.json]
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { latestNodeRuntime, PROJECT_ROOT } from '../lib/constructs/wildrydes-function';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, json: { type: 'string' } },
});
const runs = Number(values.runs);

// Inside the project so the "runtime SDK" variant resolves @aws-sdk/* from node_modules.
const outRoot = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'bench-bundles');
const handlers = readdirSync(path.join(PROJECT_ROOT, 'lambda')).filter((dir) => {
  try {
    return statSync(path.join(PROJECT_ROOT, 'lambda', dir, 'handler.ts')).isFile();
  } catch {
    return false;
  }
});
const env = {
  ...process.env,
  SUMMARY_STREAM_NAME: 'wildrydes-summary',
  SUMMARY_TABLE_NAME: 'UnicornSensorData',
  FAILURE_QUEUE_URL: 'http://127.0.0.1:1/queue',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  rmSync(outRoot, { recursive: true, force: true });
  const target = latestNodeRuntime().name.replace(/^nodejs(\d+)\.x$/, 'node$1');
  const rows = [];
  for (const handler of handlers) {
    for (const sdk of ['bundled', 'runtime'] as const) {
      const outdir = path.join(outRoot, handler, sdk);
      mkdirSync(outdir, { recursive: true });
      await build({
        entryPoints: [path.join(PROJECT_ROOT, 'lambda', handler, 'handler.ts')],
        outfile: path.join(outdir, 'index.js'),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target,
        minify: true,
        sourcemap: true,
        sourcesContent: false,
        external: sdk === 'runtime' ? ['@aws-sdk/*'] : [],
        logLevel: 'silent',
      });
      const code = readFileSync(path.join(outdir, 'index.js'));
      // Load the module as Lambda's init phase does, in a fresh process each time.
      const script = `const t=process.hrtime.bigint();require(${JSON.stringify(path.join(outdir, 'index.js'))});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      const times = Array.from({ length: runs }, () =>
        Number(execFileSync(process.execPath, ['-e', script], { env })),
      );
      rows.push({
        handler,
        sdk,
        bytes: code.length,
        gzipBytes: gzipSync(code).length,
        initMsMedian: Number(median(times).toFixed(1)),
      });
    }
  }
  rmSync(outRoot, { recursive: true, force: true });
  console.log('| handler | AWS SDK | bundle | gzip | init (median) |');
  console.log('|---|---|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.handler} | ${r.sdk} | ${(r.bytes / 1024).toFixed(0)} KiB | ${(r.gzipBytes / 1024).toFixed(0)} KiB | ${r.initMsMedian} ms |`,
    );
  }
  if (values.json)
    writeFileSync(values.json, JSON.stringify({ node: process.version, target, runs, rows }, null, 2) + '\n');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
