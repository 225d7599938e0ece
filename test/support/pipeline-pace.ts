/**
 * The pace the local runtime's end-to-end tests run at: any free ports, event sources polling
 * every 50 ms and batching for 0.2 s, Firehose buffering for 1 s, so a record crosses the
 * pipeline in about a window (each suite chooses its own window length).
 */
export const TEST_PACE = {
  ports: { kinesis: 0, dynamodb: 0, s3: 0, sqs: 0 },
  pollMs: 50,
  batchingWindowSeconds: 0.2,
  bufferIntervalSeconds: 1,
} as const;
