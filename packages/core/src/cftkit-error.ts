import type { CORE_ERROR_CODES } from "./error-codes.js";

/**
 * Every catalogued error code. Each package adds its own catalogue by augmenting this interface in its
 * `src/error-codes.ts` (`declare module "@cftkit/core"`), so a code that no catalogue lists does not compile.
 */
export interface CftkitErrorCodes extends Record<keyof typeof CORE_ERROR_CODES, string> {}

/** A catalogued error code (see docs/errors.md). */
export type CftkitErrorCode = keyof CftkitErrorCodes & string;

/**
 * The one error type every @cftkit package throws for problems a user can act on.
 * `code` is a stable machine-readable identifier (e.g. `SAFETENSORS_TRUNCATED`); the CLI prints
 * `error[<code>]: <message>` and exits with `exitCode` (2 = bad input, 1 = other failure).
 */
export class CftkitError extends Error {
  readonly code: CftkitErrorCode;
  readonly exitCode: 1 | 2;
  readonly details: Record<string, unknown>;

  constructor(
    code: CftkitErrorCode,
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
