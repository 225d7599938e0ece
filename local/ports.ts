import type { LocalEndpoints } from './emulators';

/**
 * The emulators' default ports: fixed, so the endpoints stay the same from one run to the next.
 * On their own here, so that `npm start` reads them without loading the emulators.
 */
export const DEFAULT_PORTS: Record<keyof LocalEndpoints, number> = {
  kinesis: 4567,
  dynamodb: 4568,
  s3: 4569,
  sqs: 4570,
};

/** The one AWS endpoint's default port (as other local AWS stacks use), below the emulators'. */
export const DEFAULT_ENDPOINT_PORT = 4566;
