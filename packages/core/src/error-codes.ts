/**
 * Error codes thrown by @cftkit/core, each with its one-line meaning. docs/errors.md is generated from the
 * catalogues of all packages (`npm run docs:errors`); tools/error-codes.test.ts fails when a source throws a
 * code that is not catalogued.
 */
export const CORE_ERROR_CODES = {
  FILE_NOT_READABLE: "a file could not be opened or read",
  OPENAI_ABORTED: "a request to the OpenAI-compatible server was cancelled",
  OPENAI_BAD_OPTIONS: "the client was created without a base URL or a model",
  OPENAI_BAD_RESPONSE: "the server answered with a malformed body or an unexpected status",
  OPENAI_BUDGET_EXHAUSTED: "the client's request budget is used up",
  OPENAI_HTTP_4XX: "the server refused the request (HTTP 4xx other than 429)",
  OPENAI_RETRIES_EXHAUSTED: "a request kept failing after every retry",
} as const;
