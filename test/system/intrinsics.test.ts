import { resolve, UnresolvableError, type IntrinsicContext } from '../../system/intrinsics';

const ctx: IntrinsicContext = {
  region: 'eu-west-1',
  accountId: '000000000000',
  stackName: 'WildRydes',
  resources: {
    Stream: {
      ref: 'wildrydes',
      attributes: { Arn: 'arn:aws:kinesis:eu-west-1:000000000000:stream/wildrydes' },
    },
    Queue: {
      ref: 'http://127.0.0.1:1/000000000000/q',
      attributes: { Arn: 'arn:aws:sqs:eu-west-1:000000000000:q' },
    },
  },
};

describe('resolving intrinsic functions locally', () => {
  it('resolves Ref and Fn::GetAtt to the local resources, in both GetAtt spellings', () => {
    expect(resolve({ Ref: 'Stream' }, ctx)).toBe('wildrydes');
    expect(resolve({ 'Fn::GetAtt': ['Stream', 'Arn'] }, ctx)).toBe(
      'arn:aws:kinesis:eu-west-1:000000000000:stream/wildrydes',
    );
    expect(resolve({ 'Fn::GetAtt': 'Queue.Arn' }, ctx)).toBe('arn:aws:sqs:eu-west-1:000000000000:q');
  });

  it('resolves pseudo parameters, Join, Sub (both forms), Select and Split', () => {
    expect(resolve({ 'Fn::Join': ['-', [{ Ref: 'AWS::Region' }, { Ref: 'Stream' }]] }, ctx)).toBe(
      'eu-west-1-wildrydes',
    );
    expect(resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Stream}/${Stream.Arn}' }, ctx)).toBe(
      'arn:aws:s3:::wildrydes/arn:aws:kinesis:eu-west-1:000000000000:stream/wildrydes',
    );
    expect(resolve({ 'Fn::Sub': ['${Name}-x', { Name: { Ref: 'AWS::AccountId' } }] }, ctx)).toBe(
      '000000000000-x',
    );
    expect(resolve({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, ctx)).toBe('b');
  });

  it('walks nested objects and arrays, leaving plain values alone', () => {
    expect(resolve({ A: [{ Ref: 'Stream' }, 3, true], B: { C: 'x' } }, ctx)).toEqual({
      A: ['wildrydes', 3, true],
      B: { C: 'x' },
    });
  });

  it('says where a reference to something not run locally is', () => {
    expect(() => resolve({ Env: { Ref: 'Missing' } }, ctx, 'Fn')).toThrow(
      new UnresolvableError('Fn.Env: Ref to "Missing", which is not run locally'),
    );
    expect(() => resolve({ 'Fn::GetAtt': ['Stream', 'Nope'] }, ctx)).toThrow(
      /Stream.Nope is not available locally/,
    );
    expect(() => resolve({ 'Fn::ImportValue': 'x' }, ctx)).toThrow(
      /Fn::ImportValue is not supported locally/,
    );
  });
});
