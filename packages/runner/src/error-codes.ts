/**
 * Error codes thrown by @cftkit/runner, each with its one-line meaning. docs/errors.md is generated from the
 * catalogues (`npm run docs:errors`); tools/error-codes.test.ts fails when a source throws an uncatalogued code.
 */
export const RUNNER_ERROR_CODES = {
  CLI_BAD_STEP: "a pipeline step name is unknown",
  QUICKSTART_DATA_MISSING: "the bundled quickstart data is not found",
  RUN_BAD_DATA: "a pipeline data file line is malformed",
  RUN_REPLAY_SOURCES_MISSING: "replay strategies lack their replay_sources",
  RUN_STEP_NOT_DONE: "a needed pipeline step has not run",
  RUN_MODEL_NOT_LOCAL:
    "a model the run reads on this machine is neither a folder nor in the Hugging Face Hub cache",
  RUN_EVAL_SERVER_ONE_MODEL: "served evaluation through a running server, but the run has several models",
  RUN_LM_EVAL_NEEDS_SERVER: "lm-eval's local-completions backend needs a generation: section",
  RUN_LM_EVAL_NO_SCORES: "lm-eval reported none of the tasks cftkit aggregates",
  RUN_DES_PROMPTS_MISSING: "the Instruct DES set's prompts file does not exist",
  RUN_DES_SET_INCOMPLETE: "the Instruct DES set could not answer every prompt",
  RUN_BAD_OPTION: "an option is outside what its schema allows (the message names it)",
  RUN_NO_PROMPTS: "no prompts file was given and the bundled MT-Bench questions were not found",
  CLI_BAD_PROFILE: "the quickstart profile is unknown",
} as const;

declare module "@cftkit/core" {
  interface CftkitErrorCodes extends Record<keyof typeof RUNNER_ERROR_CODES, string> {}
}
