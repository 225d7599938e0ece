/**
 * Serves the Unicorn Dashboard on this machine: the built page, a `config.json` made from the
 * given config, and, when a Kinesis endpoint is given, a same-origin proxy to it at `kinesis/`.
 *
 * Kinesalite does answer CORS preflights, so a browser could call it directly; the proxy is
 * there so that the page needs only its own port: it works through a forwarded port (a dev
 * container, SSH) where the emulator's port is not reachable, and with emulators without CORS.
 */

import {
  createServer,
  request as httpRequest,
  Agent,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { dashboardFiles } from './build';
import { parseDashboardConfig, type DashboardConfig } from './config';

export type { DashboardConfig } from './config';

export interface DashboardServerOptions {
  /** Served as `config.json`; with `kinesisEndpoint`, its endpoint becomes the proxy. */
  readonly config: DashboardConfig;
  /** A Kinesis emulator to proxy to at `kinesis/` (same origin as the page). @default no proxy */
  readonly kinesisEndpoint?: string;
  /** @default 0, a free port (see `url`) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** The built page, by path (`index.html`, `app.js`, …). @default built now (`dashboardFiles()`) */
  readonly files?: ReadonlyMap<string, Uint8Array>;
}

export interface DashboardServer {
  /** The page's address, e.g. `http://127.0.0.1:4000/`. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Where the page finds the proxy, relative to itself. */
export const KINESIS_PROXY_PATH = 'kinesis';

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

/** Forwards one Kinesis API call to the emulator, streaming both ways. */
function proxy(
  req: IncomingMessage,
  res: ServerResponse,
  target: URL,
  agents: { http: Agent; https: HttpsAgent },
) {
  const rest = req.url!.slice(`/${KINESIS_PROXY_PATH}`.length) || '/';
  const url = new URL(rest.startsWith('/') ? rest : `/${rest}`, target);
  url.pathname = `${target.pathname.replace(/\/$/, '')}${url.pathname}`;
  const secure = url.protocol === 'https:';
  const upstream = (secure ? httpsRequest : httpRequest)(
    url,
    {
      method: req.method,
      headers: { ...req.headers, host: url.host },
      agent: secure ? agents.https : agents.http,
    },
    (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify({
      __type: 'ServiceUnavailableException',
      message: `Kinesis emulator at ${target.origin} is not reachable: ${error.message}`,
    });
    send(res, 503, body, 'application/x-amz-json-1.1');
  });
  req.pipe(upstream);
}

/**
 * Starts the dashboard's local web server. Throws with a one-line reason when the config is
 * incomplete or the port is taken.
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const target = options.kinesisEndpoint === undefined ? undefined : new URL(options.kinesisEndpoint);
  const served = target ? { ...options.config, endpoint: KINESIS_PROXY_PATH } : options.config;
  const parsed = parseDashboardConfig(served);
  if (!parsed.ok) throw new Error(`Dashboard config: ${parsed.reason}`);
  const configJson = JSON.stringify(served, null, 2);
  const files = options.files ?? dashboardFiles();
  const agents = { http: new Agent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  const server = createServer((req, res) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(res, 400, 'Bad request\n', 'text/plain; charset=utf-8');
    }
    if (target && (path === `/${KINESIS_PROXY_PATH}` || path.startsWith(`/${KINESIS_PROXY_PATH}/`))) {
      return proxy(req, res, target, agents);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'Method not allowed\n', 'text/plain; charset=utf-8');
    }
    if (path === '/config.json') return send(res, 200, configJson, CONTENT_TYPES['.json']);
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
      agents.http.destroy();
      agents.https.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
