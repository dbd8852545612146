/**
 * The one error type every @cftkit package throws for problems a user can act on.
 * `code` is a stable machine-readable identifier (e.g. `SAFETENSORS_TRUNCATED`); the CLI prints
 * `error[<code>]: <message>` and exits with `exitCode` (2 = bad input, 1 = other failure).
 */
export class CftkitError extends Error {
  readonly code: string;
  readonly exitCode: 1 | 2;
  readonly details: Record<string, unknown>;

  constructor(
    code: string,
    message: string,
    options: { exitCode?: 1 | 2; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CftkitError";
    this.code = code;
    this.exitCode = options.exitCode ?? 2;
    this.details = options.details ?? {};
  }
}

/** True for a CftkitError from any copy of this package (checks the brand, not the prototype). */
export function isCftkitError(value: unknown): value is CftkitError {
  return (
    value instanceof Error &&
    value.name === "CftkitError" &&
    typeof (value as { code?: unknown }).code === "string"
  );
}
