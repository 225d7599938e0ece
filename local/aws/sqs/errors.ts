import type { ServiceError } from '../protocols';

/**
 * SQS's errors as its API reference and service model define them: the JSON protocol's shape
 * name (`QueueDoesNotExist`), the query protocol's code (`AWS.SimpleQueueService.NonExistentQueue`,
 * also sent to JSON clients in `x-amzn-query-error`, as SQS is awsQueryCompatible) and the status.
 */
export class SqsError extends Error implements ServiceError {
  constructor(
    /** The JSON protocol's error shape. */
    readonly code: string,
    message: string,
    /** The query protocol's code. */
    readonly queryCode: string = code,
    readonly status = 400,
    /** The namespace of the JSON `__type`. */
    readonly namespace = 'com.amazonaws.sqs',
  ) {
    super(message);
  }
}

export const queueDoesNotExist = () =>
  new SqsError(
    'QueueDoesNotExist',
    'The specified queue does not exist.',
    'AWS.SimpleQueueService.NonExistentQueue',
  );

export const invalidAddress = (url: string) =>
  new SqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`, 'InvalidAddress', 404);

export const accessDenied = (endpoint: string) =>
  new SqsError(
    'AccessDeniedException',
    `Access to the resource ${endpoint}/ is denied.`,
    'AccessDenied',
    403,
    'com.amazon.coral.service',
  );

export const invalidAction = (action: string) =>
  new SqsError('InvalidAction', `The action ${action} is not valid for this web service.`);

export const unsupportedOperation = (what: string) =>
  new SqsError('UnsupportedOperation', what, 'AWS.SimpleQueueService.UnsupportedOperation');

export const missingParameter = (name: string) =>
  new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);

export const invalidParameterValue = (message: string) => new SqsError('InvalidParameterValue', message);

/** `Value X for parameter P is invalid. Reason: …`, the form SQS uses for bad request parameters. */
export const invalidValue = (name: string, value: unknown, reason: string) =>
  invalidParameterValue(`Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);

export const invalidAttributeName = (name: string) =>
  new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);

export const invalidAttributeValue = (name: string) =>
  new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);

export const queueNameExists = (attribute: string) =>
  new SqsError(
    'QueueNameExists',
    `A queue already exists with the same name and a different value for attribute ${attribute}`,
    'QueueAlreadyExists',
  );

export const queueDeletedRecently = () =>
  new SqsError(
    'QueueDeletedRecently',
    'You must wait 60 seconds after deleting a queue before you can create another queue with the same name.',
    'AWS.SimpleQueueService.QueueDeletedRecently',
  );

export const purgeQueueInProgress = (queueArn: string) =>
  new SqsError(
    'PurgeQueueInProgress',
    `Only one PurgeQueue operation on ${queueArn} is allowed every 60 seconds.`,
    'AWS.SimpleQueueService.PurgeQueueInProgress',
    403,
  );

export const receiptHandleIsInvalid = (handle: string) =>
  new SqsError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
    'ReceiptHandleIsInvalid',
    404,
  );

export const messageNotInflight = () =>
  new SqsError(
    'MessageNotInflight',
    'Message is not in flight.',
    'AWS.SimpleQueueService.MessageNotInflight',
  );

export const invalidMessageContents = () =>
  new SqsError(
    'InvalidMessageContents',
    'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
  );

export const emptyBatchRequest = (entry: string) =>
  new SqsError(
    'EmptyBatchRequest',
    `There should be at least one ${entry} in the request.`,
    'AWS.SimpleQueueService.EmptyBatchRequest',
  );

export const tooManyEntriesInBatchRequest = (count: number) =>
  new SqsError(
    'TooManyEntriesInBatchRequest',
    `Maximum number of entries per request are 10. You have sent ${count}.`,
    'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  );

export const batchEntryIdsNotDistinct = (id: string) =>
  new SqsError(
    'BatchEntryIdsNotDistinct',
    `Id ${id} repeated.`,
    'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  );

export const invalidBatchEntryId = () =>
  new SqsError(
    'InvalidBatchEntryId',
    'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
    'AWS.SimpleQueueService.InvalidBatchEntryId',
  );

export const batchRequestTooLong = (limit: number, bytes: number) =>
  new SqsError(
    'BatchRequestTooLong',
    `Batch requests cannot be longer than ${limit} bytes. You have sent ${bytes} bytes.`,
    'AWS.SimpleQueueService.BatchRequestTooLong',
  );
