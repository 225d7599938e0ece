/**
 * The web server's user data, run for real: bash executes the synthesized script in a scratch
 * root, with the system commands it calls (dnf, systemctl, useradd, groupadd, getent, id,
 * setfacl, install, chkconfig) replaced by stubs on PATH that record their arguments and answer
 * as Amazon Linux 2023 would in each case.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SETUP_FAILED, SETUP_LOG } from '../../lib/constructs/web-server';
import { WeblogStack } from '../../lib/weblog-stack';

const AGENT_USER = 'aws-kinesis-agent-user';

/** The synthesized user data, with CloudFormation references filled in as they would be. */
function userDataScript(): string {
  const t = Template.fromStack(new WeblogStack(new App(), 'WildRydes-Weblogs'));
  const instance = Object.values(t.findResources('AWS::EC2::Instance'))[0];
  const [, parts] = instance.Properties.UserData['Fn::Base64']['Fn::Join'];
  const refs: Record<string, string> = { 'AWS::Region': 'us-east-1', 'AWS::URLSuffix': 'amazonaws.com' };
  return (parts as unknown[])
    .map((part) => (typeof part === 'string' ? part : (refs[(part as { Ref: string }).Ref] ?? 'weblogs')))
    .join('');
}

/** Stub commands: each records `name args…` and answers with the status its variable gives. */
const STUBS: Record<string, string> = {
  dnf: [
    // Installing a package creates what it owns, as the RPMs do.
    'mkdir -p "$WILDRYDES_ROOT/var/www/html" "$WILDRYDES_ROOT/var/log/httpd" "$WILDRYDES_ROOT/etc/aws-kinesis" "$WILDRYDES_ROOT/etc/systemd/system" "$WILDRYDES_ROOT/usr/local/bin"',
    'if [[ -n "${STUB_DNF_FAIL:-}" && "$*" == *"$STUB_DNF_FAIL"* ]]; then exit 1; fi',
  ].join('\n'),
  systemctl: 'if [ "$1" = is-active ]; then exit "${STUB_ACTIVE_STATUS:-0}"; fi',
  getent: 'exit "${STUB_GETENT_STATUS:-0}"',
  id: 'exit "${STUB_ID_STATUS:-0}"',
  groupadd: '',
  useradd: '',
  setfacl: '',
  install: '',
  chkconfig: '',
};

interface Run {
  readonly status: number | null;
  readonly stderr: string;
  readonly calls: string[];
  readonly console: string;
  readonly setupLog: string;
  readonly root: string;
}

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const script = userDataScript();

function run(env: Record<string, string> = {}): Run {
  const dir = mkdtempSync(path.join(tmpdir(), 'user-data-'));
  scratch.push(dir);
  const bin = path.join(dir, 'bin');
  const root = path.join(dir, 'root');
  mkdirSync(bin);
  mkdirSync(root);
  const calls = path.join(dir, 'calls');
  for (const [name, body] of Object.entries(STUBS)) {
    const file = path.join(bin, name);
    writeFileSync(file, `#!/bin/bash\necho "${name} $*" >> "${calls}"\n${body}\n`);
    chmodSync(file, 0o755);
  }
  const file = path.join(dir, 'user-data.sh');
  writeFileSync(file, script);
  const consoleFile = path.join(dir, 'console');
  const setupLog = path.join(dir, 'setup.log');
  const result = spawnSync('bash', [file], {
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      WILDRYDES_ROOT: root,
      WILDRYDES_CONSOLE: consoleFile,
      WILDRYDES_SETUP_LOG: setupLog,
      ...env,
    },
  });
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
  return {
    status: result.status,
    stderr: result.stderr,
    calls: read(calls).split('\n').filter(Boolean),
    console: read(consoleFile),
    setupLog: read(setupLog),
    root,
  };
}

describe('web server user data, run with stub system commands', () => {
  it('starts with a shebang, stops at the first error and logs to the console and the setup log', () => {
    expect(script.split('\n')[0]).toBe('#!/bin/bash');
    expect(script).toContain('set -euo pipefail\n');
    expect(script).toContain(`\${WILDRYDES_SETUP_LOG:-${SETUP_LOG}}`);
    expect(script).toContain('${WILDRYDES_CONSOLE:-/dev/console}');
  });

  it('installs, configures, enables and starts the agent, and writes the site and its config', () => {
    const r = run();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(
      expect.arrayContaining([
        'dnf install -y httpd',
        'dnf install -y aws-kinesis-agent',
        'systemctl enable --now httpd',
        'systemctl enable aws-kinesis-agent',
        'systemctl restart aws-kinesis-agent',
        'systemctl is-active --quiet aws-kinesis-agent',
        'systemctl enable --now weblog-traffic',
      ]),
    );
    // The RPM made the user: nothing to create.
    expect(r.calls.filter((c) => /^(useradd|groupadd) /.test(c))).toEqual([]);
    const config = JSON.parse(readFileSync(path.join(r.root, 'etc/aws-kinesis/agent.json'), 'utf8'));
    expect(config.flows[0]).toMatchObject({
      filePattern: '/var/log/httpd/access_log*',
      kinesisStream: 'weblogs',
    });
    expect(readFileSync(path.join(r.root, 'var/www/html/index.html'), 'utf8')).toContain('Wild Rydes');
    expect(r.console).toBe('');
    expect(r.setupLog).toBe('');
  });

  it("creates the agent's group and user when the RPM did not (Amazon Linux 2023), before using them", () => {
    const r = run({ STUB_GETENT_STATUS: '2', STUB_ID_STATUS: '1' });
    expect(r.status).toBe(0);
    const groupadd = r.calls.indexOf(`groupadd --system ${AGENT_USER}`);
    const useradd = r.calls.indexOf(
      `useradd --system --gid ${AGENT_USER} --no-create-home --shell /sbin/nologin ${AGENT_USER}`,
    );
    const firstUse = r.calls.findIndex((c) => c.startsWith('setfacl '));
    expect(groupadd).toBeGreaterThanOrEqual(0);
    expect(useradd).toBeGreaterThan(groupadd);
    expect(firstUse).toBeGreaterThan(useradd);
    expect(r.calls.indexOf('systemctl restart aws-kinesis-agent')).toBeGreaterThan(useradd);
  });

  it('installs the agent from its RPM when no repository has it', () => {
    const r = run({ STUB_DNF_FAIL: '-y aws-kinesis-agent' });
    expect(r.status).toBe(0);
    expect(r.calls).toContainEqual(
      expect.stringMatching(/^dnf install -y https:\/\/\S+aws-kinesis-agent\S+\.rpm$/),
    );
    expect(r.calls).toContain('systemctl restart aws-kinesis-agent');
  });

  it('fails loudly when the agent cannot be installed: non-zero exit, one line on the console', () => {
    const r = run({ STUB_DNF_FAIL: 'aws-kinesis-agent' });
    expect(r.status).toBe(1);
    expect(r.calls).toContain('dnf install -y httpd');
    expect(r.calls.filter((c) => c.startsWith('systemctl') && c.includes('aws-kinesis-agent'))).toEqual([]);
    expect(r.console).toMatch(
      new RegExp(`^${SETUP_FAILED} \\(exit 1\\) at line \\d+: dnf install -y https://\\S+\\.rpm\\n$`),
    );
    expect(r.setupLog).toBe(r.console);
    expect(r.stderr).toContain(SETUP_FAILED);
  });

  it('fails loudly when the agent does not stay running', () => {
    const r = run({ STUB_ACTIVE_STATUS: '3' });
    expect(r.status).toBe(3);
    expect(r.console).toMatch(
      /^wildrydes-setup: FAILED \(exit 3\) at line \d+: systemctl is-active --quiet aws-kinesis-agent\n$/,
    );
    expect(r.calls).not.toContain('systemctl enable --now weblog-traffic');
  });
});
