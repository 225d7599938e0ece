import {
  DEFAULT_EXPIRY_SECONDS,
  DEFAULT_POLL_SECONDS,
  DEFAULT_TILE_URL,
  DEFAULT_TRAIL_SECONDS,
  parseDashboardConfig,
} from '../../dashboard/config';

const aws = {
  region: 'eu-west-1',
  streamName: 'alice-wildrydes',
  identityPoolId: 'eu-west-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  guestRoleArn: 'arn:aws:iam::123456789012:role/WildRydes-Guest',
};

describe('parseDashboardConfig', () => {
  it('accepts what a deployment writes and fills in the defaults', () => {
    expect(parseDashboardConfig(aws)).toEqual({
      ok: true,
      value: {
        ...aws,
        tileUrl: DEFAULT_TILE_URL,
        tileAttribution: expect.stringContaining('OpenStreetMap'),
        expirySeconds: DEFAULT_EXPIRY_SECONDS,
        pollSeconds: DEFAULT_POLL_SECONDS,
        offlineMap: true,
        trailSeconds: DEFAULT_TRAIL_SECONDS,
      },
    });
  });

  it('accepts a local emulator endpoint instead of Cognito', () => {
    const local = {
      region: 'us-east-1',
      streamName: 'wildrydes',
      endpoint: 'kinesis',
      expirySeconds: 3,
      pollSeconds: 0.5,
      tileUrl: 'http://tiles.example/{z}/{x}/{y}.png',
      offlineMap: false,
      trailSeconds: 0,
    };
    // Every setting given is kept as it is; a tile URL of one's own has no attribution unless given.
    expect(parseDashboardConfig(local)).toEqual({ ok: true, value: { ...local, tileAttribution: '' } });
  });

  it.each([
    [[], 'config.json must hold a JSON object'],
    [{ ...aws, region: undefined }, 'config.json needs a region'],
    [{ ...aws, streamName: '' }, 'config.json needs a streamName'],
    [{ ...aws, streamName: 7 }, 'streamName must be a string, got 7'],
    [null, 'config.json must hold a JSON object'],
    [{ ...aws, guestRoleArn: undefined }, 'config.json needs identityPoolId and guestRoleArn'],
    [
      { ...aws, identityPoolId: 'wildrydes' },
      'identityPoolId must look like us-east-1:1a2b3c4d-..., got "wildrydes"',
    ],
    [{ ...aws, guestRoleArn: 'Guest' }, 'guestRoleArn must be a role ARN, got "Guest"'],
    [{ ...aws, expirySeconds: 0 }, 'expirySeconds must be a number above 0 and up to 86400, got 0'],
    [{ ...aws, pollSeconds: '2' }, 'pollSeconds must be a number above 0 and up to 60, got "2"'],
    [{ ...aws, pollSeconds: 61 }, 'pollSeconds must be a number above 0 and up to 60, got 61'],
    [{ ...aws, offlineMap: 'yes' }, 'offlineMap must be true or false, got "yes"'],
    [{ ...aws, trailSeconds: -1 }, 'trailSeconds must be a number from 0 up to 600, got -1'],
    [{ ...aws, trailSeconds: 601 }, 'trailSeconds must be a number from 0 up to 600, got 601'],
  ])('refuses %j with a reason', (value, reason) => {
    const parsed = parseDashboardConfig(value);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(reason);
  });

  it('reports the first problem on one line', () => {
    const parsed = parseDashboardConfig({ ...aws, expirySeconds: 'x', pollSeconds: 'y' });
    expect(parsed).toEqual({
      ok: false,
      reason: 'expirySeconds must be a number above 0 and up to 86400, got "x"',
    });
  });

  it('treats null and "" as unset', () => {
    const parsed = parseDashboardConfig({ ...aws, endpoint: '', tileUrl: null, trailSeconds: null });
    expect(parsed.ok && parsed.value).toMatchObject({ tileUrl: DEFAULT_TILE_URL, trailSeconds: 60 });
    expect(parsed.ok && 'endpoint' in parsed.value).toBe(false);
  });
});
