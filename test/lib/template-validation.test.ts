/**
 * CloudFormation's own rules for every template the app makes, as `-c validate=true` applies them
 * on deploy: an error fails the synth. Every other test synthesizes without them (test/support/env.ts):
 * they cost seconds of WebAssembly per synth, so they run here, once per app shape.
 */
import { ALL_LABS } from '#core/labs';
import { App, CfnResource, CloudFormationValidatePlugin, type Stack } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { addTemplateValidation, buildApp } from '../../lib/app';
import { DEFAULT_CONFIG } from '../../lib/config';
import { workshopConfig } from '../support/synth';

// One plugin for every synth below: its rule engine is compiled once.
const plugin = new CloudFormationValidatePlugin();

function validatedApp(): App {
  const app = new App({ builtinCloudFormationValidation: false });
  addTemplateValidation(app, plugin);
  return app;
}

interface Report {
  pluginReports: { pluginName: string; conclusion: string; violations: { ruleName: string }[] }[];
}

function validationReport(app: App): Report['pluginReports'][number] | undefined {
  const assembly = app.synth();
  const report = JSON.parse(
    readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
  ) as Report;
  return report.pluginReports.find((r) => r.pluginName === CloudFormationValidatePlugin.PLUGIN_NAME);
}

describe('CloudFormation template validation', () => {
  it('finds nothing in the app with every lab, the web-server stack included', () => {
    const app = validatedApp();
    buildApp(app, { ...DEFAULT_CONFIG, labs: ALL_LABS });
    expect(validationReport(app)).toMatchObject({ conclusion: 'success', violations: [] });
  });

  it('finds nothing in any attendee’s stacks of a workshop', () => {
    const app = validatedApp();
    const spec = {
      attendees: [
        { id: 'alice', account: '111111111111', region: 'us-east-1' },
        { id: 'bob', account: '111111111111', region: 'us-east-1' },
        { id: 'carol', account: '222222222222', region: 'eu-west-1' },
      ],
    };
    const built = buildApp(app, workshopConfig(spec, { labs: ALL_LABS }));
    expect(built.attendees).toHaveLength(3);
    expect(validationReport(app)).toMatchObject({ conclusion: 'success', violations: [] });
  });

  it('fails the synth on a template error (the check is live)', () => {
    const app = validatedApp();
    const { stacks } = buildApp(app, DEFAULT_CONFIG);
    new CfnResource(stacks[0] as Stack, 'Careless', {
      type: 'AWS::SQS::Queue',
      properties: { VisibilityTimeout: 'half a minute' },
    });
    expect(() => app.synth()).toThrow(
      /VisibilityTimeout: 'half a minute' is not of type 'integer' \(CloudFormation Validate\)/,
    );
  });
});
