import { DEFAULT_LOCAL_FORMAT, formatDate } from '#core/date-format';
import { compileTemplate, newFaker, stringify, TemplateError } from '#core/kdg-template';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The Kinesis Data Generator's help page examples, as written there. */
const HELP_PAGE = {
  person: '{{name.firstName}},{{name.lastName}},{{random.number(70)}},{{internet.ip}}',
  sensor: `{
    "sensorId": {{random.number(50)}},
    "currentTemperature": {{random.number(
        {
            "min":10,
            "max":150
        }
    )}},
    "status": "{{random.arrayElement(
        ["OK","FAIL","WARN"]
    )}}"
}`,
  weighted: `{{random.weightedArrayElement(
  {
    "weights": [0.3,0.2,0.5],
    "data": ["cat","fish","dog"]
  }
)}}`,
};

const NOW = Date.UTC(2026, 10, 22, 9, 5, 3, 42); // 2026-11-22T09:05:03.042Z, a Sunday

/** Renders `template` n times with a fixed seed and clock. */
const render = (template: string, n = 1, seed = 42) => {
  const compiled = compileTemplate(template, { seed });
  return Array.from({ length: n }, () => compiled.render(NOW));
};

/** The TemplateError `template` is rejected with. */
const rejection = (template: string): TemplateError => {
  try {
    compileTemplate(template);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error(`template was accepted: ${template}`);
};

describe('KDG template rendering', () => {
  it('keeps the text around placeholders exactly and fills each one', () => {
    const [line] = render(HELP_PAGE.person);
    const [first, last, age, ip] = line.split(',');
    expect(first).toMatch(/^[A-Z][A-Za-z' -]+$/);
    expect(last).toMatch(/^[A-Z][A-Za-z' -]+$/);
    expect(Number(age)).toBeGreaterThanOrEqual(0);
    expect(Number(age)).toBeLessThanOrEqual(70);
    expect(ip).toMatch(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
    expect(ip.split('.').every((octet) => Number(octet) <= 255)).toBe(true);
  });

  it('renders JSON templates with multi-line arguments into valid JSON', () => {
    for (const text of render(HELP_PAGE.sensor, 50)) {
      const record = JSON.parse(text);
      expect(record.sensorId).toBeGreaterThanOrEqual(0);
      expect(record.sensorId).toBeLessThanOrEqual(50);
      expect(record.currentTemperature).toBeGreaterThanOrEqual(10);
      expect(record.currentTemperature).toBeLessThanOrEqual(150);
      expect(['OK', 'FAIL', 'WARN']).toContain(record.status);
    }
  });

  it('random.number(max) spans 0..max and {min,max} spans min..max, both ends included', () => {
    const small = render('{{random.number(3)}}', 400).map(Number);
    expect(new Set(small)).toEqual(new Set([0, 1, 2, 3]));
    const ranged = render('{{random.number({"min":-40,"max":60})}}', 3000).map(Number);
    expect(ranged.every((n) => Number.isInteger(n) && n >= -40 && n <= 60)).toBe(true);
    expect(Math.min(...ranged)).toBe(-40);
    expect(Math.max(...ranged)).toBe(60);
    const defaults = render('{{random.number}}', 200).map(Number);
    expect(defaults.every((n) => Number.isInteger(n) && n >= 0 && n <= 99_999)).toBe(true);
  });

  it('random.number with a precision gives multiples of it, written without float noise', () => {
    const values = render('{{random.number({"min":0,"max":1,"precision":0.1})}}', 500);
    expect(new Set(values)).toEqual(
      new Set(['0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1']),
    );
    expect(render('{{random.number({"min":7,"max":7})}}', 5)).toEqual(['7', '7', '7', '7', '7']);
  });

  it('renders current.timestamp as date.now, as the generator rewrites it', () => {
    const compiled = compileTemplate(
      '{"a":"{{current.timestamp}}","b":"{{current.timestamp}}","c":"{{date.now}}"}',
    );
    const record = JSON.parse(compiled.render(NOW));
    expect(record.a).toBe(formatDate(NOW, DEFAULT_LOCAL_FORMAT, 'local'));
    expect(record.b).toBe(record.a);
    expect(record.c).toBe(record.a);
    expect(record.a).toMatch(/^2026-11-2\dT\d\d:\d\d:03[+-]\d\d:\d\d$/);
  });

  it('date.utc and date.now format the record time with moment.js tokens', () => {
    expect(render('{{date.utc}}')).toEqual(['2026-11-22T09:05:03Z']);
    expect(render('{{date.utc("YYYY-MM-DD HH:mm:ss.SSS")}}')).toEqual(['2026-11-22 09:05:03.042']);
    expect(render('{{date.utc("dddd, MMMM Do YYYY, h:mm:ss a")}}')).toEqual([
      'Sunday, November 22nd 2026, 9:05:03 am',
    ]);
    expect(render('{{date.utc("ddd, hA")}}')).toEqual(['Sun, 9AM']);
    expect(render('{{date.utc("x")}}')).toEqual([String(NOW)]);
    // date.now is local time; build the expectation from this machine's zone.
    const local = new Date(NOW);
    const offset = -local.getTimezoneOffset();
    const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
    const zone = `${offset < 0 ? '-' : '+'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
    expect(render('{{date.now("HH:mm Z")}}')).toEqual([
      `${pad(local.getHours())}:${pad(local.getMinutes())} ${zone}`,
    ]);
    expect(render('{{date.now}}')[0]).toMatch(/^2026-11-2\dT\d\d:\d\d:03[+-]\d\d:\d\d$/);
  });

  it('random.arrayElement picks only from its array and reaches every element', () => {
    const picks = render('{{random.arrayElement(["OK","FAIL","WARN"])}}', 300);
    expect(new Set(picks)).toEqual(new Set(['OK', 'FAIL', 'WARN']));
  });

  it('random.weightedArrayElement follows its weights', () => {
    const picks = render(
      '{{random.weightedArrayElement({"weights":[0.3,0.2,0.5],"data":["cat","fish","dog"]})}}',
      6000,
    );
    const share = (animal: string) => picks.filter((p) => p === animal).length / picks.length;
    expect(share('cat')).toBeCloseTo(0.3, 1);
    expect(share('fish')).toBeCloseTo(0.2, 1);
    expect(share('dog')).toBeCloseTo(0.5, 1);
    // A zero weight is never chosen.
    const never = render('{{random.weightedArrayElement({"weights":[0,1],"data":["never","always"]})}}', 100);
    expect(new Set(never)).toEqual(new Set(['always']));
  });

  it('maps faker.js 4 names and offers every current faker helper', () => {
    const [text] = render(
      '{{name.firstName}}|{{name.findName}}|{{address.city}}|{{random.uuid}}|{{random.boolean}}|{{person.jobTitle}}|{{lorem.words(3)}}|{{internet.userName}}|{{date.past}}',
    );
    const [first, full, city, uuid, bool, job, words, user, past] = text.split('|');
    expect(first).not.toBe('');
    expect(full.split(' ').length).toBeGreaterThanOrEqual(2);
    expect(city).not.toBe('');
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(['true', 'false']).toContain(bool);
    expect(job).not.toBe('');
    expect(words.split(' ')).toHaveLength(3);
    expect(user).not.toBe('');
    expect(past).toMatch(/^\d{4}-\d\d-\d\dT/); // dates are written in ISO 8601
  });

  it('is reproducible with a seed and varies without one', () => {
    const template = '{{random.number(1000000)}} {{name.firstName}}';
    expect(render(template, 5, 7)).toEqual(render(template, 5, 7));
    expect(render(template, 5, 7)).not.toEqual(render(template, 5, 8));
    const a = compileTemplate(template);
    const b = compileTemplate(template);
    expect([1, 2, 3].map(() => a.render(NOW))).not.toEqual([1, 2, 3].map(() => b.render(NOW)));
  });

  it('draws from the faker instance it is given', () => {
    const faker = newFaker(3);
    const expected = newFaker(3).number.int({ min: 0, max: 1_000_000 });
    expect(compileTemplate('{{random.number(1000000)}}', { faker }).render(NOW)).toBe(String(expected));
  });

  it('lists the helpers used and leaves text without placeholders alone', () => {
    expect(compileTemplate('{{name.firstName}} {{ random.number(3) }}').helpers).toEqual([
      'name.firstName',
      'random.number',
    ]);
    expect(compileTemplate('plain,text').render(NOW)).toBe('plain,text');
    expect(compileTemplate('{"nested":{"a":{"b":1}}}').render(NOW)).toBe('{"nested":{"a":{"b":1}}}');
  });

  it('writes values as text: strings as they are, dates in ISO 8601, objects as JSON', () => {
    expect(stringify('a')).toBe('a');
    expect(stringify(1.5)).toBe('1.5');
    expect(stringify(new Date(NOW))).toBe('2026-11-22T09:05:03.042Z');
    expect(stringify([1, 'x'])).toBe('[1,"x"]');
    expect(stringify(undefined)).toBe('');
  });

  it('ships a sensor template whose records are readings that exercise the filter', () => {
    const text = readFileSync(path.join(__dirname, '..', '..', 'templates', 'sensor-reading.tmpl'), 'utf8');
    const records = render(text, 2000).map((t) => JSON.parse(t));
    const alerts = records.filter((r) => Math.abs(r.measuredTemp - r.ambientTemp) > 20);
    expect(alerts.length / records.length).toBeGreaterThan(0.2);
    expect(alerts.length / records.length).toBeLessThan(0.5);
    expect(records.every((r) => r.eventTimestamp === NOW && /^sensor-\d+$/.test(r.sensorId))).toBe(true);
    expect(render(text)[0]).not.toMatch(/\n/);
    expect(new Set(records.map((r) => r.status))).toEqual(new Set(['OK', 'WARN', 'FAIL']));
  });
});

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

describe('the generator help page templates, rendered as the generator renders them', () => {
  it('the person CSV: names, an age up to 70 and an IPv4 address, every time', () => {
    for (const line of render(HELP_PAGE.person, 500, 3)) {
      const [first, last, age, ip] = line.split(',');
      expect(first).toMatch(/^[A-Z]/);
      expect(last).toMatch(/^[A-Z]/);
      expect(Number(age)).toBeLessThanOrEqual(70);
      expect(ip).toMatch(IPV4);
    }
  });

  it('the multi-line sensor JSON becomes one line of JSON, as the generator strips line breaks', () => {
    const [record] = render(HELP_PAGE.sensor);
    expect(record).not.toMatch(/[\r\n]/);
    expect(record.startsWith('{    "sensorId": ')).toBe(true);
    expect(record.endsWith('"}')).toBe(true);
    expect(Object.keys(JSON.parse(record))).toEqual(['sensorId', 'currentTemperature', 'status']);
  });

  it('trims the template and removes every line break, CRLF included, but not spaces between', () => {
    expect(compileTemplate('\n\n  {{random.number(0)}} , x \r\n y \n\n').render(NOW)).toBe('0 , x  y');
    expect(compileTemplate('a\r\nb\rc\nd').render(NOW)).toBe('abcd');
    // Line breaks a helper writes stay: the generator strips the template, not the values.
    expect(compileTemplate('{{lorem.lines(2)}}\n').render(NOW).split('\n')).toHaveLength(2);
  });

  it('keeps the template as written with keepNewlines, for line-oriented formats', () => {
    const text = 'time={{date.utc("HH:mm")}}\nip={{internet.ip}}\n';
    const record = compileTemplate(text, { keepNewlines: true, seed: 1 }).render(NOW);
    expect(record).toMatch(/^time=09:05\nip=[\d.]+\n$/);
  });

  it('date.now and date.utc give the help page formats', () => {
    const local = (format: string) => formatDate(NOW, format, 'local');
    expect(render('{{date.now}}')).toEqual([local('YYYY-MM-DDTHH:mm:ssZ')]);
    expect(render('{{date.now("dddd, MMMM Do YYYY, h:mm:ss a")}}')).toEqual([
      local('dddd, MMMM Do YYYY, h:mm:ss a'),
    ]);
    expect(render('{{date.now("ddd, hA")}}')).toEqual([local('ddd, hA')]);
    expect(render('{{date.now("DD/MMM/YYYY:HH:mm:ss Z")}}')[0]).toMatch(
      /^2[12]\/Nov\/2026:\d\d:\d\d:03 [+-]\d\d:\d\d$/,
    );
    expect(
      render('{{date.utc}}|{{date.utc("dddd, MMMM Do YYYY, h:mm:ss a")}}|{{date.utc("ddd, hA")}}'),
    ).toEqual(['2026-11-22T09:05:03Z|Sunday, November 22nd 2026, 9:05:03 am|Sun, 9AM']);
    expect(render('{{date.utc("DD/MMM/YYYY:HH:mm:ss Z")}}')).toEqual(['22/Nov/2026:09:05:03 +00:00']);
  });

  it('takes a format written without quotes as text, as the generator does', () => {
    expect(render('{{date.utc(YYYY-MM-DD HH:mm)}}')).toEqual(['2026-11-22 09:05']);
    expect(render('{{date.utc( DD/MMM/YYYY )}}')).toEqual(['22/Nov/2026']);
  });

  it('the weighted array element example, written over several lines', () => {
    const picks = render(HELP_PAGE.weighted, 3000);
    expect(new Set(picks)).toEqual(new Set(['cat', 'fish', 'dog']));
    expect(picks.filter((p) => p === 'dog').length / 3000).toBeCloseTo(0.5, 1);
  });

  it('an Apache access log line in the generator style', () => {
    const template =
      '{{internet.ip}} - - [{{date.utc("DD/MMM/YYYY:HH:mm:ss ZZ")}}] "{{random.weightedArrayElement({"weights":[0.6,0.1,0.1,0.2],"data":["GET","POST","DELETE","PUT"]})}} {{random.arrayElement(["/list","/explore","/search/tag/list"])}} HTTP/1.1" {{random.weightedArrayElement({"weights":[0.9,0.04,0.02,0.04],"data":["200","404","500","301"]})}} {{random.number(10000)}} "-" "{{internet.userAgent}}"';
    for (const line of render(template, 50)) {
      expect(line).toMatch(
        /^[\d.]+ - - \[22\/Nov\/2026:09:05:03 \+0000\] "(GET|POST|DELETE|PUT) \/\S+ HTTP\/1\.1" (200|404|500|301) \d+ "-" ".+"$/,
      );
    }
  });

  it('a clickstream event with faker.js 4 era names', () => {
    const template = `{
      "session": "{{random.uuid}}",
      "user": "{{internet.userName}}",
      "phone": "{{phone.phoneNumber}}",
      "page": "{{helpers.randomize(["home","cart","checkout"])}}",
      "banner": "{{random.image}}",
      "since": "{{date.between("2026-01-01T00:00:00Z","2026-02-01T00:00:00Z")}}",
      "at": "{{date.utc("YYYY-MM-DDTHH:mm:ss.SSS[Z]")}}"
    }`;
    for (const text of render(template, 50)) {
      const event = JSON.parse(text);
      expect(event.phone).toMatch(/\d{3}/);
      expect(['home', 'cart', 'checkout']).toContain(event.page);
      expect(event.banner).toMatch(/^https:\/\/loremflickr\.com\//);
      expect(event.since >= '2026-01-01' && event.since <= '2026-02-01T00:00:00.000Z').toBe(true);
      expect(event.at).toBe('2026-11-22T09:05:03.042Z');
    }
  });
});

describe('date.simTime', () => {
  it('is the simulated second a record is rendered for, with the wall clock for date.now', () => {
    const compiled = compileTemplate(
      '{{date.simTime}}|{{date.simTime("YYYY-MM-DD HH:mm:ss")}}|{{date.utc("x")}}',
    );
    const start = Date.UTC(2019, 0, 1, 0, 0, 0);
    const lines = [0, 1, 2].map((s) => compiled.render(NOW, start + s * 1000).split('|'));
    expect(lines.map((l) => l[0])).toEqual(
      [0, 1, 2].map((s) => formatDate(start + s * 1000, DEFAULT_LOCAL_FORMAT, 'local')),
    );
    expect(lines.map((l) => l[1])).toEqual(
      [0, 1, 2].map((s) => formatDate(start + s * 1000, 'YYYY-MM-DD HH:mm:ss', 'local')),
    );
    expect(lines.map((l) => l[2])).toEqual([String(NOW), String(NOW), String(NOW)]);
  });

  it('is the record time when not simulating', () => {
    expect(compileTemplate('{{date.simTime("x")}}').render(NOW)).toBe(String(NOW));
  });
});

describe('malformed templates', () => {
  it.each([
    ['', 1, 1, /the template is empty/],
    ['{"a": {{random.nmber(5)}} }', 1, 9, /unknown helper "random\.nmber"/],
    ['x\n  {{name.firstName', 2, 3, /unclosed \{\{: no matching \}\}/],
    ['{{}}', 1, 3, /empty placeholder/],
    ['{{ 5 }}', 1, 4, /expected a helper name/],
    ['{{name.firstName x}}', 1, 18, /expected \}\} after name\.firstName/],
    ['{\n "t": {{random.number({"min":5 "max":1})}}\n}', 2, 32, /arguments of random\.number are not JSON/],
    ['{{random.number({"min":5,"max":1)}}', 1, 16, /unbalanced brackets/],
    ['{{random.number({"min":5,"max":1})}}', 1, 3, /"min" \(5\) must not be greater than "max" \(1\)/],
    ['{{random.number({"low":1})}}', 1, 3, /takes "min", "max" and "precision", not "low"/],
    ['{{random.number("ten")}}', 1, 3, /takes a maximum or/],
    ['{{random.number({"min":0,"max":1,"precision":0})}}', 1, 3, /"precision" must be positive/],
    ['{{random.arrayElement([])}}', 1, 3, /non-empty array/],
    [
      '{{random.weightedArrayElement({"weights":[1],"data":[1,2]})}}',
      1,
      3,
      /as many weights as data items, got 1 and 2/,
    ],
    ['{{random.weightedArrayElement({"weights":[-1],"data":[1]})}}', 1, 3, /weights must be numbers ≥ 0/],
    ['{{random.weightedArrayElement({"weights":[0],"data":[1]})}}', 1, 3, /all weights are 0/],
    ['{{random.weightedArrayElement(["a"])}}', 1, 3, /takes \{"weights"/],
    ['{{date.now(5)}}', 1, 3, /date\.now takes a moment\.js format string/],
    ['{{current.timestamp(1)}}', 1, 3, /current\.timestamp takes at most 0 arguments/],
    ['{{constructor.name}}', 1, 3, /unknown helper "constructor\.name"/],
    ['{{number.hasOwnProperty}}', 1, 3, /unknown helper/],
    ['{{faker.seed}}', 1, 3, /unknown helper "faker\.seed"/],
  ])('%p is rejected at line %p, column %p', (template, line, column, reason) => {
    const error = rejection(template);
    expect(error.reason).toMatch(reason);
    expect([error.line, error.column]).toEqual([line, column]);
    expect(error.message).toBe(`line ${line}, column ${column}: ${error.reason}`);
  });
});
