import { lastErrorLine } from '../../ops/cdk-cli';

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
