/**
 * Error codes thrown by @cftkit/evaluation, each with its one-line meaning. docs/errors.md is generated from the
 * catalogues (`npm run docs:errors`); tools/error-codes.test.ts fails when a source throws an uncatalogued code.
 */
export const EVALUATION_ERROR_CODES = {
  EVAL_BAD_CSV: "a CSV task file has an unterminated quoted field",
  EVAL_BAD_DATASET: "a task or reference file does not have the expected shape",
  EVAL_BAD_JSON: "an evaluation input is not valid JSON / JSONL",
  EVAL_BAD_TASK: "a task name is unknown or lacks its file",
  EVAL_BAD_OPTION: "evaluation run options are out of range or missing",
  EVAL_EMPTY_TASK: "a task file holds no examples",
  EVAL_FILE_NOT_FOUND: "an evaluation input cannot be read",
  EVAL_NO_JUDGE: "a judged task was asked for without a judge endpoint",
  EVAL_NO_MODEL_NAME: "the server lists no model and none was given",
  EVAL_NO_PROMPT_LOGPROBS: "the endpoint does not return prompt-token log-probabilities",
  LM_EVAL_BAD_RESULTS: "an lm-eval results file has no results object",
  LM_EVAL_CHAT_NO_LOGLIKELIHOOD: "log-likelihood tasks were asked of a chat-completions model",
  LM_EVAL_FAILED: "lm_eval exited with an error",
  LM_EVAL_NOT_FOUND: "lm_eval is not installed",
  LM_EVAL_NO_RESULTS: "lm_eval finished without writing a results file",
  LM_EVAL_NO_TASKS: "no lm-eval task was given",
  LM_EVAL_RESULTS_NOT_FOUND: "an lm-eval results file cannot be read",
  LM_EVAL_SPAWN_FAILED: "lm_eval could not be started",
  EVAL_BAD_PREDICTIONS: "a predictions file row is not {id, prediction}",
  EVAL_BAD_TEXTS: "a texts file row is neither a string nor an object with a text field",
  EVAL_EMPTY_PREDICTIONS: "a predictions file holds no predictions",
} as const;

declare module "@cftkit/core" {
  interface CftkitErrorCodes extends Record<keyof typeof EVALUATION_ERROR_CODES, string> {}
}
