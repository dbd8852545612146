/**
 * Error codes thrown by @cftkit/cli, each with its one-line meaning. docs/errors.md is generated from the
 * catalogues (`npm run docs:errors`); tools/error-codes.test.ts fails when a source throws an uncatalogued code.
 */
export const CLI_ERROR_CODES = {
  CLI_BAD_OPTION: "an option's value is refused",
  CLI_MISSING_OPTION: "a required option is missing",
  CLI_OUTPUTS_COLLIDE: "two outputs name the same path",
  CLI_OUTPUT_EXISTS: "an output folder already holds a model (pass --force to replace it)",
  CLI_OUTPUT_IS_INPUT: "an output path is also an input",
  CLI_OUTPUT_NOT_A_FILE: "an output that must be a file names a folder",
  CLI_OUTPUT_NOT_A_FOLDER: "an output that must be a folder names a file",
} as const;

declare module "@cftkit/core" {
  interface CftkitErrorCodes extends Record<keyof typeof CLI_ERROR_CODES, string> {}
}
