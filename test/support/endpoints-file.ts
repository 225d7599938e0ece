/** An endpoints file as `npm start` writes it, in a new temporary folder, for the commands to find. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeLocalEndpoints, type LocalEndpointsFile } from '../../cli/endpoints-file';

/**
 * Writes the file (this process as the running pipeline, us-east-1, no stacks unless given)
 * and returns its path, for WILDRYDES_ENDPOINTS_FILE.
 */
export function writeEndpointsFile(
  fields: Omit<LocalEndpointsFile, 'pid' | 'region' | 'stacks' | 'dynamodb' | 's3' | 'sqs'> &
    Partial<LocalEndpointsFile>,
): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'endpoints-')), 'endpoints.json');
  writeLocalEndpoints(file, {
    pid: process.pid,
    region: 'us-east-1',
    dynamodb: '',
    s3: '',
    sqs: '',
    stacks: {},
    ...fields,
  });
  return file;
}
