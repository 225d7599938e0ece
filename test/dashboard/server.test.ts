import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dashboardKinesisClient, LOCAL_CREDENTIALS } from '../../dashboard/src/aws';
import { startDashboardServer, type DashboardServer } from '../../dashboard/server';
import { startKinesalite, type Kinesalite } from '../support/kinesalite';

const CONFIG = { region: 'us-east-1', streamName: 'wildrydes' };

let kinesalite: Kinesalite;
let server: DashboardServer;

beforeAll(async () => {
  kinesalite = await startKinesalite();
  await kinesalite.createStream('wildrydes');
  server = await startDashboardServer({
    config: { ...CONFIG, expirySeconds: 10 },
    kinesisEndpoint: kinesalite.endpoint,
  });
});

afterAll(async () => {
  await server.stop();
  await kinesalite.stop();
});

/** A client that reaches kinesalite only through the dashboard server's proxy, as the page does. */
function proxiedClient(pageUrl: string) {
  return new KinesisClient({
    region: 'us-east-1',
    endpoint: new URL('kinesis', pageUrl).toString(),
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
}

describe('dashboard server', () => {
  it('serves the page on 127.0.0.1 with its script, styles and Leaflet assets', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<script src="app.js" defer></script>');
    for (const [path, type] of [
      ['app.js', 'text/javascript; charset=utf-8'],
      ['style.css', 'text/css; charset=utf-8'],
      ['leaflet/leaflet.css', 'text/css; charset=utf-8'],
      ['leaflet/images/marker-icon.png', 'image/png'],
    ]) {
      const response = await fetch(new URL(path, server.url));
      expect([path, response.status, response.headers.get('content-type')]).toEqual([path, 200, type]);
      await response.arrayBuffer();
    }
  });

  it('serves config.json pointing the page at its own Kinesis proxy', async () => {
    const response = await fetch(new URL('config.json', server.url));
    expect(await response.json()).toEqual({ ...CONFIG, expirySeconds: 10, endpoint: 'kinesis' });
  });

  it('proxies Kinesis calls to the emulator', async () => {
    const client = proxiedClient(server.url);
    try {
      const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: 'wildrydes' }));
      expect(out.StreamDescriptionSummary?.StreamName).toBe('wildrydes');
    } finally {
      client.destroy();
    }
  });

  it('answers 404 for unknown paths and 405 for writes outside the proxy', async () => {
    expect((await fetch(new URL('nothing-here.js', server.url))).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST', body: '{}' })).status).toBe(405);
  });

  it('serves config.json as given when there is nothing to proxy', async () => {
    const direct = await startDashboardServer({ config: { ...CONFIG, endpoint: 'http://127.0.0.1:4567' } });
    try {
      expect(await (await fetch(new URL('config.json', direct.url))).json()).toEqual({
        ...CONFIG,
        endpoint: 'http://127.0.0.1:4567',
      });
      expect((await fetch(new URL('kinesis', direct.url), { method: 'POST' })).status).toBe(405);
    } finally {
      await direct.stop();
    }
  });

  it('reports an unreachable emulator as a service error the SDK understands', async () => {
    const free = await freePort();
    const orphan = await startDashboardServer({
      config: CONFIG,
      kinesisEndpoint: `http://127.0.0.1:${free}`,
    });
    const client = proxiedClient(orphan.url);
    try {
      await expect(
        client.send(new DescribeStreamSummaryCommand({ StreamName: 'wildrydes' })),
      ).rejects.toMatchObject({
        name: 'ServiceUnavailableException',
        message: expect.stringContaining('is not reachable'),
      });
    } finally {
      client.destroy();
      await orphan.stop();
    }
  });

  it('refuses an incomplete config and a taken port with a clear message', async () => {
    await expect(
      startDashboardServer({ config: { region: 'us-east-1', streamName: 'wildrydes' } }),
    ).rejects.toThrow(
      'Dashboard config: config.json needs identityPoolId and guestRoleArn (or an endpoint for a local emulator)',
    );
    const port = Number(new URL(server.url).port);
    await expect(
      startDashboardServer({ config: CONFIG, kinesisEndpoint: kinesalite.endpoint, port }),
    ).rejects.toThrow(`Dashboard port ${port} on 127.0.0.1 is already in use`);
  });
});

describe('the page’s Kinesis client', () => {
  it('resolves a relative emulator endpoint against the page and signs with placeholders', async () => {
    const client = dashboardKinesisClient({ ...CONFIG, endpoint: 'kinesis' }, 'http://127.0.0.1:4000/');
    try {
      const endpoint = await client.config.endpoint!();
      expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}${endpoint.path}`).toBe(
        'http://127.0.0.1:4000/kinesis',
      );
      expect(await client.config.credentials()).toMatchObject(LOCAL_CREDENTIALS);
      expect(await client.config.maxAttempts()).toBe(1);
    } finally {
      client.destroy();
    }
  });

  it('needs the identity pool and guest role without an endpoint', () => {
    expect(() => dashboardKinesisClient(CONFIG, 'https://d111.cloudfront.net/')).toThrow(
      'config.json needs identityPoolId and guestRoleArn',
    );
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
