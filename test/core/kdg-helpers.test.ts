import { compileTemplate, KDG_HELPERS } from '#core/kdg-template';

/**
 * Every name the Kinesis Data Generator's bundled faker.js (3.x, plus the generator's own
 * date.now/utc/simTime and random.weightedArrayElement) exposes, module by module, as listed in
 * the generator's web/js/faker.js.
 */
const KDG_FAKER_NAMES: Record<string, string[]> = {
  address:
    'zipCode city cityPrefix citySuffix streetName streetAddress streetSuffix streetPrefix secondaryAddress county country countryCode state stateAbbr latitude longitude'.split(
      ' ',
    ),
  commerce: 'color department productName price productAdjective productMaterial product'.split(' '),
  company:
    'suffixes companyName companySuffix catchPhrase bs catchPhraseAdjective catchPhraseDescriptor catchPhraseNoun bsAdjective bsBuzz bsNoun'.split(
      ' ',
    ),
  date: 'past future between recent month weekday now utc simTime'.split(' '),
  finance:
    'account accountName mask amount transactionType currencyCode currencyName currencySymbol bitcoinAddress'.split(
      ' ',
    ),
  hacker: 'abbreviation adjective noun verb ingverb phrase'.split(' '),
  helpers:
    'randomize slugify replaceSymbolWithNumber replaceSymbols shuffle mustache createCard contextualCard userCard createTransaction'.split(
      ' ',
    ),
  image:
    'image avatar imageUrl abstract animals business cats city food nightlife fashion people nature sports technics transport'.split(
      ' ',
    ),
  internet:
    'avatar email exampleEmail userName protocol url domainName domainSuffix domainWord ip userAgent color mac password'.split(
      ' ',
    ),
  lorem: 'word words sentence sentences paragraph paragraphs text lines'.split(' '),
  name: 'firstName lastName findName jobTitle prefix suffix title jobDescriptor jobArea jobType'.split(' '),
  phone: 'phoneNumber phoneNumberFormat phoneFormats'.split(' '),
  random:
    'number arrayElement weightedArrayElement objectElement uuid boolean word words image locale alphaNumeric'.split(
      ' ',
    ),
  system:
    'fileName commonFileName mimeType commonFileType commonFileExt fileType fileExt directoryPath filePath semver'.split(
      ' ',
    ),
};

const NOW = Date.UTC(2026, 10, 22, 9, 5, 3, 42);

/** `n` renderings of one placeholder, seeded. */
const renders = (placeholder: string, n = 30, seed = 4) => {
  const compiled = compileTemplate(placeholder, { seed });
  return Array.from({ length: n }, () => compiled.render(NOW));
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IMAGE = /^https:\/\/loremflickr\.com\/\d+\/\d+(\/[a-z]+)?\?lock=\d+$/;
const WORDS = /^[\p{L}'’&.\- ]+$/u;

/** What each name renders, as the generator's faker.js renders it. */
const SHAPES: [string, RegExp | ((values: string[]) => void)][] = [
  ['{{address.zipCode}}', /^\d{5}(-\d{4})?$/],
  ['{{address.zipCode("??-###")}}', /^[A-Z]{2}-\d{3}$/],
  ['{{address.city}}', WORDS],
  ['{{address.cityPrefix}}', /^(North|East|West|South|New|Lake|Port|Fort)$/],
  ['{{address.citySuffix}}', /^[a-z]+$/],
  ['{{address.streetName}}', /^[\p{L}\d'’&. -]+$/u],
  ['{{address.streetAddress}}', /^\d+ [\p{L}\d'’. -]+$/u],
  ['{{address.streetAddress(true)}}', /^\d+ .+ (Apt\.|Suite) \d+$/],
  ['{{address.streetSuffix}}', /^[A-Z][a-z]+$/],
  ['{{address.streetPrefix}}', /^[abc]$/],
  ['{{address.secondaryAddress}}', /^(Apt\.|Suite) \d+$/],
  ['{{address.countryCode}}', /^[A-Z]{2}$/],
  ['{{address.state}}', WORDS],
  ['{{address.stateAbbr}}', /^[A-Z]{2}$/],
  ['{{address.latitude}}', (vs) => vs.forEach((v) => expect(v).toMatch(/^-?\d{1,2}\.\d{4}$/))],
  ['{{address.longitude}}', (vs) => vs.forEach((v) => expect(Math.abs(Number(v))).toBeLessThanOrEqual(180))],
  ['{{commerce.color}}', /^[a-z ]+$/],
  ['{{commerce.price}}', /^\d+\.00$/],
  ['{{commerce.price(5,10,2,"$")}}', /^\$(5|6|7|8|9|10)\.00$/],
  ['{{commerce.price(-5)}}', /^0$/],
  ['{{company.suffixes}}', /^\[("[\w ]+",?){4}\]$/],
  ['{{company.companySuffix}}', /^(Inc|and Sons|LLC|Group)$/],
  ['{{company.bs}}', /^\S+ \S+ \S+( \S+)*$/],
  [
    '{{date.past}}',
    (vs) => vs.forEach((v) => expect(NOW - Date.parse(v)).toBeLessThanOrEqual(365 * 86_400_000)),
  ],
  ['{{date.future(2)}}', (vs) => vs.forEach((v) => expect(Date.parse(v) - NOW).toBeGreaterThanOrEqual(1000))],
  ['{{date.recent}}', (vs) => vs.forEach((v) => expect(NOW - Date.parse(v)).toBeLessThanOrEqual(86_400_000))],
  [
    '{{date.between("2020-01-01T00:00:00Z","2020-01-31T00:00:00Z")}}',
    (vs) => vs.forEach((v) => expect(v >= '2020-01-01' && v <= '2020-01-31T00:00:00.000Z').toBe(true)),
  ],
  [
    '{{date.month}}',
    /^(January|February|March|April|May|June|July|August|September|October|November|December)$/,
  ],
  ['{{date.month({"abbr":true})}}', /^[A-Z][a-z]{2}$/],
  ['{{date.weekday}}', /^(Sun|Mon|Tues|Wednes|Thurs|Fri|Satur)day$/],
  ['{{finance.account}}', /^\d{8}$/],
  ['{{finance.account(5)}}', /^\d{5}$/],
  ['{{finance.accountName}}', / Account$/],
  ['{{finance.mask}}', /^\d{4}$/],
  ['{{finance.mask(6, true, true)}}', /^\(\.\.\.\d{6}\)$/],
  ['{{finance.amount}}', /^\d+\.00$/],
  ['{{finance.amount(10, 20, 1, "£")}}', /^£(1\d|20)\.0$/],
  ['{{finance.currencyCode}}', /^[A-Z]{3}$/],
  ['{{finance.currencySymbol}}', /^\S+$/],
  ['{{finance.bitcoinAddress}}', /^[13bc][a-zA-Z0-9]{20,}$/],
  ['{{hacker.phrase}}', /^\S.+!$/],
  ['{{helpers.randomize}}', /^[abc]$/],
  ['{{helpers.randomize(["x","y"])}}', /^[xy]$/],
  ['{{helpers.slugify("Hello World, again!")}}', /^Hello-World-again$/],
  ['{{helpers.replaceSymbolWithNumber("SN-####")}}', /^SN-\d{4}$/],
  ['{{helpers.replaceSymbolWithNumber("id-**","*")}}', /^id-\d\d$/],
  ['{{helpers.replaceSymbols("??-##*")}}', /^[A-Z]{2}-\d\d\*$/],
  [
    '{{helpers.shuffle([1,2,3])}}',
    (vs) => vs.forEach((v) => expect(JSON.parse(v).sort()).toEqual([1, 2, 3])),
  ],
  ['{{helpers.mustache("Hi {{name}}!", {"name":"Bo"})}}', /^Hi Bo!$/],
  [
    '{{helpers.createCard}}',
    (vs) =>
      expect(Object.keys(JSON.parse(vs[0]))).toEqual(expect.arrayContaining(['posts', 'accountHistory'])),
  ],
  ['{{helpers.userCard}}', (vs) => expect(JSON.parse(vs[0]).address.geo.lat).toMatch(/^-?\d+\.\d{4}$/)],
  ['{{helpers.contextualCard}}', (vs) => expect(JSON.parse(vs[0]).avatar).toMatch(/^https:/)],
  ['{{helpers.createTransaction}}', (vs) => expect(JSON.parse(vs[0]).date).toMatch(/^2012-02-0[12]T/)],
  ['{{image.image}}', IMAGE],
  ['{{image.cats}}', /^https:\/\/loremflickr\.com\/640\/480\/cats\?lock=\d+$/],
  ['{{image.imageUrl(100, 50, "food")}}', /^https:\/\/loremflickr\.com\/100\/50\/food\?lock=\d+$/],
  ['{{image.avatar}}', /^https:\/\//],
  ['{{internet.avatar}}', /^https:\/\//],
  ['{{internet.email}}', /^\S+@\S+\.\w+$/],
  ['{{internet.email("Ann","Lee","example.org")}}', /^Ann[._]?Lee\d*@example\.org$/],
  ['{{internet.exampleEmail}}', /@example\.(com|org|net)$/],
  ['{{internet.userName("Ann")}}', /^Ann/],
  ['{{internet.protocol}}', /^https?$/],
  ['{{internet.url}}', /^https?:\/\/[\w.-]+\.\w+$/],
  ['{{internet.ip}}', IPV4],
  ['{{internet.color}}', /^#[0-9a-f]{6}$/],
  ['{{internet.mac}}', /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/],
  ['{{internet.password}}', /^\S{15}$/],
  ['{{internet.password(8, false, "[a-c]")}}', /^[a-c]{8}$/],
  ['{{lorem.words}}', /^\S+ \S+ \S+$/],
  ['{{lorem.sentence(4)}}', /^[A-Z]\S* \S+ \S+ \S+\.$/],
  ['{{lorem.paragraphs(2)}}', (vs) => vs.forEach((v) => expect(v.split('\n \r')).toHaveLength(2))],
  ['{{lorem.lines(3)}}', (vs) => vs.forEach((v) => expect(v.split('\n')).toHaveLength(3))],
  ['{{name.firstName(0)}}{{name.firstName(1)}}', /^[A-Z][\p{L}'-]+[A-Z][\p{L}'-]+$/u],
  ['{{name.findName("Ada","Byron")}}', /Ada Byron/],
  ['{{name.title}}', /^\w+ \w+ \w+$/],
  ['{{phone.phoneNumber}}', /^[\d() .x+-]+$/],
  ['{{phone.phoneNumber("(###) ###-####")}}', /^\(\d{3}\) \d{3}-\d{4}$/],
  ['{{phone.phoneNumberFormat(0)}}', /^\d{3}-\d{3}-\d{4}$/],
  ['{{phone.phoneFormats}}', /^[#() .x1-]+$/],
  ['{{random.number}}', (vs) => vs.forEach((v) => expect(Number(v)).toBeLessThanOrEqual(99_999))],
  ['{{random.arrayElement}}', /^[abc]$/],
  ['{{random.objectElement({"a":1,"b":2})}}', /^[12]$/],
  ['{{random.weightedArrayElement}}', /^(dog|cat)$/],
  ['{{random.objectElement({"a":1,"b":2}, "key")}}', /^[ab]$/],
  ['{{random.word}}', /^.+$/],
  ['{{random.words(2)}}', /^.+ .+$/],
  ['{{random.image}}', IMAGE],
  ['{{random.locale}}', /^[a-z]{2,3}(_[A-Za-z]+)*$/],
  ['{{random.alphaNumeric}}', /^[0-9a-z]$/],
  ['{{random.alphaNumeric(12)}}', /^[0-9a-z]{12}$/],
  ['{{random.alpha({"count":4,"upcase":true})}}', /^[A-Z]{4}$/],
  ['{{random.hexaDecimal(4)}}', /^0x[0-9a-f]{4}$/],
  ['{{datatype.number(5)}}', /^[0-5]$/],
  ['{{datatype.float({"min":1,"max":2})}}', /^(1(\.\d{1,2})?|2)$/],
  ['{{system.fileName}}', /^\S+\.\w+$/],
  ['{{system.commonFileName("csv")}}', /\.csv$/],
  ['{{system.mimeType}}', /^[\w.+-]+\/[\w.+-]+$/],
  ['{{system.fileExt("image/png")}}', /^png$/],
  ['{{system.semver}}', /^\d+\.\d+\.\d+$/],
];

describe('the generator faker.js names, on faker 9', () => {
  it('has every name the generator bundle exposes, each rendering without arguments', () => {
    const names = Object.entries(KDG_FAKER_NAMES).flatMap(([module, methods]) =>
      methods.map((m) => `${module}.${m}`),
    );
    expect(names).toHaveLength(140);
    const missing = names.filter((name) => !(name in KDG_HELPERS));
    expect(missing).toEqual([]);
    const needArguments = ['date.between', 'helpers.mustache'];
    for (const name of names.filter((n) => !needArguments.includes(n))) {
      expect(() => compileTemplate(`{{${name}}}`, { seed: 1 }).render(NOW)).not.toThrow();
    }
  });

  it.each(SHAPES)('%s renders as the generator renders it', (placeholder, shape) => {
    const values = renders(placeholder);
    if (shape instanceof RegExp) for (const v of values) expect(v).toMatch(shape);
    else shape(values);
  });

  it('internet.ip is always IPv4 (faker 9 alone gives IPv6 about half the time)', () => {
    const ips = renders('{{internet.ip}}', 2000, 9);
    expect(ips.every((ip) => IPV4.test(ip))).toBe(true);
    expect(new Set(ips).size).toBeGreaterThan(1990);
  });

  it('name.firstName(0) draws from male names and (1) from female names', () => {
    const male = new Set(renders('{{name.firstName(0)}}', 300));
    const female = new Set(renders('{{name.firstName(1)}}', 300));
    const shared = [...male].filter((n) => female.has(n));
    expect(shared.length).toBeLessThan(male.size / 5);
  });

  it('lorem.text uses one of the lorem helpers, and random.word one of the word helpers', () => {
    expect(renders('{{lorem.text}}', 50).every((t) => t.length > 0)).toBe(true);
    expect(new Set(renders('{{random.word}}', 200)).size).toBeGreaterThan(50);
  });

  it('every helper shows its example in datagen helpers', () => {
    for (const [name, entry] of Object.entries(KDG_HELPERS)) {
      expect(() =>
        compileTemplate(`{{${name}${entry.example ?? ''}}}`, { seed: 2 }).render(NOW),
      ).not.toThrow();
    }
  });

  it.each([
    ['{{date.between("2020-01-01")}}', /date\.between: "to" must be a date/],
    ['{{date.between("2020-02-01","2020-01-01")}}', /"to" must not be before "from"/],
    ['{{date.past("long")}}', /date\.past: "years" must be a number/],
    ['{{name.firstName(2)}}', /gender must be 0 \(male\) or 1 \(female\)/],
    ['{{lorem.words(-1)}}', /"num" must be a whole number ≥ 0/],
    ['{{random.objectElement([1])}}', /takes a non-empty object/],
    ['{{phone.phoneNumberFormat(999)}}', /"index" must be below/],
    ['{{internet.email(1)}}', /"firstName" must be a string/],
    ['{{finance.amount(5, 1)}}', /"min" \(5\) must not be greater than "max" \(1\)/],
    ['{{helpers.shuffle([])}}', /non-empty array/],
  ])('%s is rejected: %p', (template, reason) => {
    expect(() => compileTemplate(template)).toThrow(reason);
  });
});
