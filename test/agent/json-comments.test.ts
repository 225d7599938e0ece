import { parseJsonWithComments, stripJsonComments } from '../../agent/json-comments';

describe('JSON with comments, as the Java agent reads it', () => {
  it('accepts /* */ and // comments wherever white space may be', () => {
    expect(
      parseJsonWithComments('/* agent */ {\n  "a": 1, // one\n  /* two: */ "b": [2 /* inline */]\n} // end'),
    ).toEqual({ a: 1, b: [2] });
  });

  it('leaves comment markers inside strings alone', () => {
    expect(
      parseJsonWithComments('{ "filePattern": "/var/log/*/x", "url": "http://h//p", "q": "a\\"//b" }'),
    ).toEqual({
      filePattern: '/var/log/*/x',
      url: 'http://h//p',
      q: 'a"//b',
    });
  });

  it('keeps line breaks, so positions stay right', () => {
    const text = '{ /* one\ntwo */ "a": 1 }';
    const stripped = stripJsonComments(text);
    expect(stripped).toHaveLength(text.length);
    expect(stripped.indexOf('\n')).toBe(text.indexOf('\n'));
    expect(stripped.indexOf('"a"')).toBe(text.indexOf('"a"'));
  });
});
