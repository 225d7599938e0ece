import { synthStack } from '../support/synth';

describe('synthesized template', () => {
  it('matches the reviewed snapshot (asset hashes normalized)', () => {
    expect(synthStack().template.toJSON()).toMatchSnapshot();
  });

  it('prefixes every named resource for an attendee who shares an account', () => {
    const json = JSON.stringify(synthStack({ prefix: 'alice' }).template.toJSON());
    expect(json).toContain('"Name":"alice-wildrydes"');
    expect(json).toContain('"Name":"alice-wildrydes-summary"');
    expect(json).toContain('"TableName":"alice-UnicornSensorData"');
    expect(json).toContain('"IdentityPoolName":"alice_wildrydes_dashboard"');
    expect(json).not.toMatch(/"Name":"wildrydes"/);
  });
});
