/** A failure the CLI shows as one sentence on stderr, exiting with `exitCode` (2 = bad usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
