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

/**
 * Why `what` (the AWS endpoint, an emulator) could not listen on `port`, in one line: the port is
 * in use (most likely by another local pipeline), or the error itself.
 */
export function listenFailure(what: string, port: number, error: { code?: string; message: string }): Error {
  return new Error(
    error.code === 'EADDRINUSE'
      ? `Port ${port} for ${what} is in use: is another local pipeline running? (stop it, or pass --port-base)`
      : `${what[0].toUpperCase()}${what.slice(1)} could not listen on 127.0.0.1:${port}: ${error.message}`,
  );
}
