/**
 * A small access_log as a web server leaves it (two combined-log lines around an error-log
 * notice), and the records the Kinesis Agent's LOGTOJSON (COMBINEDAPACHELOG) makes of it: the
 * notice is skipped as malformed, `-` is null, every other value a string.
 */

export const ACCESS_LOG_WITH_NOTICE = [
  '203.0.113.9 - - [05/Jun/2017:09:17:00 +0000] "GET /ride.html HTTP/1.1" 200 7812 "https://www.wildrydes.com/" "curl/8.5.0"',
  '[notice] caught SIGTERM, shutting down',
  '198.51.100.7 - alice [05/Jun/2017:09:17:02 +0000] "POST /ride HTTP/1.1" 201 212 "-" "Mozilla/5.0"',
]
  .map((l) => `${l}\n`)
  .join('');

export const ACCESS_LOG_RECORDS = [
  {
    host: '203.0.113.9',
    ident: null,
    authuser: null,
    datetime: '05/Jun/2017:09:17:00 +0000',
    request: 'GET /ride.html HTTP/1.1',
    response: '200',
    bytes: '7812',
    referer: 'https://www.wildrydes.com/',
    agent: 'curl/8.5.0',
  },
  {
    host: '198.51.100.7',
    ident: null,
    authuser: 'alice',
    datetime: '05/Jun/2017:09:17:02 +0000',
    request: 'POST /ride HTTP/1.1',
    response: '201',
    bytes: '212',
    referer: null,
    agent: 'Mozilla/5.0',
  },
];
