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
  LINE_TOO_LONG: "a line of a line-per-record file is longer than the line-length bound",
  OPTIONAL_DEPENDENCY_MISSING: "a feature needs an optional peer dependency that is not installed",
  PATH_OUTSIDE_FOLDER: "a file names a path that leaves the folder it must stay inside",
  SERVER_ABORTED: "a launched server was stopped while it was starting",
  SERVER_EXITED: "a launched server exited before it answered",
  SERVER_NOT_READY: "a launched server did not answer /models in time",
  SERVER_NOT_STARTED: "a server command could not be started",
  SERVER_NO_COMMAND: "the server command is empty",
  SHELL_UNSAFE_ARGUMENT: "an argument cannot be passed to a shell command (it holds a NUL byte)",
} as const;
