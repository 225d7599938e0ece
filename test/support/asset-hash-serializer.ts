/**
 * Snapshot serializer that replaces 64-hex asset hashes (they change with the checkout path
 * when source maps are on) so a template snapshot is the same in every clone.
 */
const HASH = /[0-9a-f]{64}/g;

const serializer: import('pretty-format').Plugin = {
  test: (value: unknown) => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  serialize: (value: string) => JSON.stringify(value.replace(HASH, '[ASSET HASH]')),
};

module.exports = serializer;
