import { dashboardKinesisClient, LOCAL_CREDENTIALS } from '../../dashboard/src/aws';
import { startDashboardServer, type DashboardServer } from '../../dashboard/server';
import { startKinesalite, type Kinesalite } from '../support/kinesalite';

/** What `npm start` serves: the guest flow's pool and role, and the one local AWS endpoint. */
const GUEST = {
  region: 'us-east-1',
  streamName: 'wildrydes',
  identityPoolId: 'us-east-1:9601a975-6a4d-467c-8537-9a186d588a70',
  guestRoleArn: 'arn:aws:iam::000000000000:role/WildRydes-DashboardAccessUnauthenticatedRole',
  endpoint: 'http://127.0.0.1:4566',
};

let kinesalite: Kinesalite;
let server: DashboardServer;

beforeAll(async () => {
  kinesalite = await startKinesalite();
  await kinesalite.createStream('wildrydes');
  server = await startDashboardServer({ config: { ...GUEST, expirySeconds: 10 } });
});

afterAll(async () => {
  await server.stop();
  await kinesalite.stop();
});

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

  it('serves config.json as given: the guest flow at the endpoint, no privileges of its own', async () => {
    const response = await fetch(new URL('config.json', server.url));
    expect(await response.json()).toEqual({ ...GUEST, expirySeconds: 10 });
  });

  it('answers 404 for unknown paths and 405 for writes: it forwards nothing', async () => {
    expect((await fetch(new URL('nothing-here.js', server.url))).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST', body: '{}' })).status).toBe(405);
    expect((await fetch(new URL('kinesis', server.url), { method: 'POST' })).status).toBe(405);
  });

  it('refuses an incomplete config and a taken port with a clear message', async () => {
    await expect(
      startDashboardServer({ config: { region: 'us-east-1', streamName: 'wildrydes' } }),
    ).rejects.toThrow(
      'Dashboard config: config.json needs identityPoolId and guestRoleArn (or an endpoint for a local emulator)',
    );
    const port = Number(new URL(server.url).port);
    await expect(startDashboardServer({ config: GUEST, port })).rejects.toThrow(
      `Dashboard port ${port} on 127.0.0.1 is already in use`,
    );
  });
});

describe('the page’s Kinesis client', () => {
  it('with an identity pool and an endpoint: Cognito, STS and Kinesis all at that endpoint', async () => {
    const client = dashboardKinesisClient({ ...GUEST, endpoint: '/aws/' }, 'http://127.0.0.1:4000/page/');
    try {
      const endpoint = await client.config.endpoint!();
      expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}${endpoint.path}`).toBe(
        'http://127.0.0.1:4000/aws/',
      );
      expect(await client.config.maxAttempts()).toBe(1);
    } finally {
      client.destroy();
    }
  });

  it('with a bare emulator endpoint and no pool: placeholder credentials', async () => {
    const client = dashboardKinesisClient(
      { region: 'us-east-1', streamName: 'wildrydes', endpoint: kinesalite.endpoint },
      'http://127.0.0.1:4000/',
    );
    try {
      expect(await client.config.credentials()).toMatchObject(LOCAL_CREDENTIALS);
      const endpoint = await client.config.endpoint!();
      expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe(kinesalite.endpoint);
    } finally {
      client.destroy();
    }
  });

  it('needs the identity pool and guest role without an endpoint', () => {
    expect(() =>
      dashboardKinesisClient(
        { region: 'us-east-1', streamName: 'wildrydes' },
        'https://d111.cloudfront.net/',
      ),
    ).toThrow('config.json needs identityPoolId and guestRoleArn');
  });
});
