/**
 * Serves the Unicorn Dashboard on this machine: the built page and a `config.json` made from
 * the given config. Locally the config names the identity pool, the guest role and the local
 * AWS endpoint, so the page gets its credentials exactly as it does on AWS (Cognito's basic
 * flow) and reads Kinesis with them; it has no privileges of its own.
 *
 * Locally it also serves `monitoring.json`: the template's CloudWatch dashboard with the local
 * run's metrics and alarm states, made on this side with the administrator's view. The page's
 * guest role may not read CloudWatch (nor should it: the page is public on AWS), and the
 * local server already holds the metrics; on AWS there is no such route, and the page leaves
 * the Monitoring view out (the CloudWatch console shows the same dashboard there).
 */

import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { dashboardFiles } from './build';
import { parseDashboardConfig, type DashboardConfig } from './config';

export type { DashboardConfig } from './config';

export interface DashboardServerOptions {
  /** Served as `config.json`. */
  readonly config: DashboardConfig;
  /** @default 0, a free port (see `url`) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** The built page, by path (`index.html`, `app.js`, …). @default built now (`dashboardFiles()`) */
  readonly files?: ReadonlyMap<string, Uint8Array>;
  /** Served as `monitoring.json` (`?minutes=N`, 5 to 1440). @default none: no Monitoring view */
  readonly monitoring?: (minutes?: number) => unknown;
}

export interface DashboardServer {
  /** The page's address, e.g. `http://127.0.0.1:4000/`. */
  readonly url: string;
  stop(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
};

function send(res: ServerResponse, status: number, body: string | Uint8Array, contentType: string) {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}

/**
 * Starts the dashboard's local web server. Throws with a one-line reason when the config is
 * incomplete or the port is taken.
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const parsed = parseDashboardConfig(options.config);
  if (!parsed.ok) throw new Error(`Dashboard config: ${parsed.reason}`);
  const configJson = JSON.stringify(options.config, null, 2);
  const files = options.files ?? dashboardFiles();

  const server = createServer((req, res) => {
    let path: string;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
      path = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, 'Bad request\n', 'text/plain; charset=utf-8');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'Method not allowed\n', 'text/plain; charset=utf-8');
    }
    if (path === '/config.json') return send(res, 200, configJson, CONTENT_TYPES['.json']);
    if (path === '/monitoring.json' && options.monitoring) {
      const asked = Number(url.searchParams.get('minutes') ?? 60);
      const minutes = Number.isFinite(asked) ? Math.min(1440, Math.max(5, Math.round(asked))) : 60;
      return send(res, 200, JSON.stringify(options.monitoring(minutes)), CONTENT_TYPES['.json']);
    }
    const file = files.get(path === '/' ? 'index.html' : path.slice(1));
    if (!file) return send(res, 404, 'Not found\n', 'text/plain; charset=utf-8');
    send(
      res,
      200,
      file,
      CONTENT_TYPES[extname(path === '/' ? 'index.html' : path)] ?? 'application/octet-stream',
    );
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `Dashboard port ${options.port} on ${host} is already in use`
            : `Dashboard server: ${error.message}`,
        ),
      ),
    );
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
