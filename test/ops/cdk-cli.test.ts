import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { appContext, cliRegion, lastErrorLine, synthesize, synthesizeApp } from '../../ops/cdk-cli';

describe("a failed CDK run's one-line reason", () => {
  it("is the app's own message, not the CLI's note that the app exited", () => {
    const stderr = [
      'npm warn config ignoring',
      'wildrydes: Cannot read workshop file missing.json: no such file',
      'node --require tsx/cjs bin/wildrydes.ts: Subprocess exited with error 1',
      '',
    ].join('\n');
    expect(lastErrorLine(stderr)).toBe('wildrydes: Cannot read workshop file missing.json: no such file');
  });

  it("leaves out esbuild's progress", () => {
    const stderr = [
      'Error: Validation failed',
      'Bundling asset WildRydes/SummaryAggregation/Function/Code/Stage...',
      '  ...-building/index.js  538.7kb',
      '  ...-building/index.js.map  874.6kb',
      '⚡ Done in 421ms',
    ].join('\n');
    expect(lastErrorLine(stderr)).toBe('Error: Validation failed');
  });

  it('says when there was no error output', () => {
    expect(lastErrorLine('\n\n')).toBe('no error output');
  });
});

describe('synthesizing as the CDK CLI does, without it', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cdk-cli-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("gives the app cdk.json's context, then cdk.context.json's, then each -c as a string, then the CLI's synth settings", () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'cdk.json'), JSON.stringify({ app: 'x', context: { a: 1, b: 'json' } }));
    writeFileSync(path.join(root, 'cdk.context.json'), JSON.stringify({ b: 'context', c: [2] }));
    expect(appContext(['b=flag', 'd=e=f', 'n=3'], root)).toEqual({
      a: 1,
      b: 'flag',
      c: [2],
      d: 'e=f',
      n: '3',
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:version-reporting': true,
      'aws:cdk:bundling-stacks': ['**'],
    });
  });

  it("finds the region in the CLI's order: AWS_REGION, AMAZON_REGION, AWS_DEFAULT_REGION, AMAZON_DEFAULT_REGION, the profile, us-east-1", async () => {
    const all = {
      AWS_REGION: 'eu-west-1',
      AMAZON_REGION: 'eu-west-2',
      AWS_DEFAULT_REGION: 'eu-west-3',
      AMAZON_DEFAULT_REGION: 'eu-north-1',
    };
    expect(await cliRegion(all)).toBe('eu-west-1');
    expect(await cliRegion({ ...all, AWS_REGION: undefined })).toBe('eu-west-2');
    expect(await cliRegion({ AWS_DEFAULT_REGION: 'eu-west-3', AMAZON_DEFAULT_REGION: 'eu-north-1' })).toBe(
      'eu-west-3',
    );
    expect(await cliRegion({ AMAZON_DEFAULT_REGION: 'eu-north-1' })).toBe('eu-north-1');

    const saved = { ...process.env };
    try {
      for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) delete process.env[name];
      const useHome = (config?: string) => {
        const home = tempDir();
        process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(home, 'credentials');
        process.env.AWS_CONFIG_FILE = path.join(home, 'config');
        if (config) writeFileSync(process.env.AWS_CONFIG_FILE, config);
      };
      useHome();
      expect(await cliRegion({})).toBe('us-east-1');
      useHome('[default]\nregion = ap-south-1\n');
      expect(await cliRegion({})).toBe('ap-south-1');
      useHome('[default]\nregion = ap-south-1\n[profile team]\nregion = sa-east-1\n');
      process.env.AWS_PROFILE = 'team';
      expect(await cliRegion({})).toBe('sa-east-1');
    } finally {
      process.env = saved;
    }
  });

  it("makes the CDK CLI's assembly, byte for byte", async () => {
    const [byCli, direct, home] = [tempDir(), tempDir(), tempDir()];
    // The same region on both sides, and no credentials or instance metadata for the CLI to find
    // an account with (a local synth never looks one up).
    const saved = { ...process.env };
    try {
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
        delete process.env[name];
      Object.assign(process.env, {
        AWS_REGION: 'eu-west-1',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
        AWS_CONFIG_FILE: path.join(home, 'config'),
      });
      await synthesize(byCli, []);
      await synthesizeApp(direct, []);
    } finally {
      process.env = saved;
    }
    // Every file by path, as its SHA-256 (the bundles are megabytes: compared as digests).
    const files = (dir: string) =>
      Object.fromEntries(
        readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => {
            const file = path.join(entry.parentPath, entry.name);
            return [path.relative(dir, file), createHash('sha256').update(readFileSync(file)).digest('hex')];
          }),
      );
    const cli = files(byCli);
    expect(Object.keys(cli)).toEqual(expect.arrayContaining(['manifest.json', 'WildRydes.template.json']));
    expect(readFileSync(path.join(direct, 'manifest.json'), 'utf8')).toContain(
      'aws://unknown-account/eu-west-1',
    );
    expect(files(direct)).toEqual(cli);
  });
});
