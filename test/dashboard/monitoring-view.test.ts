import { alarmLabel, alignSeries, markdownHtml } from '../../dashboard/src/monitoring';

it('draws the markdown of text widgets without letting HTML through', () => {
  expect(
    markdownHtml(
      '## Title\nSome **bold** and `code`,\nsame paragraph.\n\n- one\n- [two](https://example.com/x)',
    ),
  ).toBe(
    '<h2>Title</h2><p>Some <strong>bold</strong> and <code>code</code>, same paragraph.</p>' +
      '<ul><li>one</li><li><a href="https://example.com/x" target="_blank" rel="noopener">two</a></li></ul>',
  );
  expect(markdownHtml('<img src=x onerror=alert(1)> [x](javascript:alert(1))')).toBe(
    '<p>&lt;img src=x onerror=alert(1)&gt; [x](javascript:alert(1))</p>',
  );
});

it('puts series on one time axis in seconds, with gaps', () => {
  expect(
    alignSeries([
      { label: 'a', timestamps: [60_000, 120_000], values: [1, 2] },
      { label: 'b', timestamps: [120_000, 180_000], values: [3, 4] },
    ]),
  ).toEqual([
    [60, 120, 180],
    [1, 2, null],
    [null, 3, 4],
  ]);
});

it("names alarms by their construct's name", () => {
  expect(alarmLabel('WildRydes-MonitoringTelemetryIteratorAgeF5F22613')).toBe('TelemetryIteratorAge');
});
