/**
 * Error codes thrown by @cftkit/datasets, each with its one-line meaning. docs/errors.md is generated from the
 * catalogues (`npm run docs:errors`); tools/error-codes.test.ts fails when a source throws an uncatalogued code.
 */
export const DATASETS_ERROR_CODES = {
  DATA_BAD_FIELD_TYPE: "a record field has the wrong JSON type",
  DATA_BAD_GZIP: "a .gz data file is not valid gzip",
  DATA_BAD_LANGUAGE: "the requested language is not a BCP-47 tag",
  DATA_BAD_LAYOUT: "a file's overall layout does not fit its format (e.g. SQuAD without one data document)",
  DATA_BAD_OPTION:
    "a sampling, mix or split option is out of range, or a mix gives other than one ratio or count per input",
  DATA_EMPTY_FIELD: "a required text field is empty",
  DATA_EMPTY_FILE: "a data file holds no records",
  DATA_MALFORMED_JSON: "a line or document is not valid JSON",
  DATA_MISSING_FIELD: "a record lacks a field its format requires",
  DATA_NOT_FOUND: "the data path does not exist",
  DATA_NO_DATA_FILES: "a data folder holds no .json, .jsonl or .parquet file",
  DATA_PARQUET_MISSING_COLUMN: "a parquet file lacks a column its format requires",
  DATA_PARQUET_UNREADABLE: "a parquet file cannot be decoded",
  DATA_TRUNCATED_JSON: "a JSON document ends early (torn file)",
  DATA_UNKNOWN_FORMAT: "the file type or row format is not recognised",
  DATA_BAD_PROMPTS: "a prompts file line is malformed or holds no prompt",
  DATA_EMPTY_OUTPUT: "a training record has no response to train on",
  DATA_LINE_TOO_LONG: "a dataset line is longer than the line-length bound",
} as const;

declare module "@cftkit/core" {
  interface CftkitErrorCodes extends Record<keyof typeof DATASETS_ERROR_CODES, string> {}
}
