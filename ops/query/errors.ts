/**
 * What a query can fail with, each a one-line message for the person who wrote it: the query is
 * not valid (as Athena would also say), it uses a construct the local engine does not run the
 * way Athena does, or the data cannot be read the way Athena reads it.
 */
export class QueryError extends Error {}

/** Not valid SQL for Athena, or a type or name error Athena reports too. */
export class SqlError extends QueryError {
  constructor(message: string, position?: SourcePosition) {
    super(position ? `line ${position.line}:${position.column}: ${message}` : message);
  }
}

/** A construct Athena runs but the local engine does not (or not with the same answer). */
export class UnsupportedError extends QueryError {
  constructor(construct: string, why?: string) {
    super(`${construct}: not supported by the local engine${why ? ` (${why})` : ''}`);
  }
}

/** Data the local reader cannot read the way Athena's SerDe would, or that Athena fails on too. */
export class DataError extends QueryError {}

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}
