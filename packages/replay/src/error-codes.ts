/**
 * Error codes thrown by @cftkit/replay, each with its one-line meaning. docs/errors.md is generated from the
 * catalogues (`npm run docs:errors`); tools/error-codes.test.ts fails when a source throws an uncatalogued code.
 */
export const REPLAY_ERROR_CODES = {
  GENERATION_FAILED: "a generation failed without a more specific code",
  REPLAY_BAD_OPTION: "replay selection or sampling options conflict or are out of range",
  REPLAY_DUPLICATE_ID: "an id occurs twice in the Phase-2 set and the replay buffer",
  REPLAY_DUPLICATE_ITEM: "an item id occurs twice in the generation list",
  REPLAY_JOURNAL_CLOSED: "a journal was written after it was closed",
  REPLAY_JOURNAL_CORRUPT: "a journal line other than the last is not valid JSON",
  REPLAY_LOCKED: "another process is writing the same output",
  REPLAY_SELECTION_CHANGED: "a resumed run has other inputs or another selection",
  REPLAY_SETTINGS_CHANGED: "a resumed run has other generation settings",
  REPLAY_TOO_MANY_FAILURES: "too many generations failed in a row",
  REPLAY_UNKNOWN_TEMPLATE: "the chat template name is unknown",
  GENERATION_CONFIG_INVALID: "the generation settings do not give exactly one of server, servers, launch",
  GENERATION_SERVER_UNREACHABLE: "a generation server does not answer /models",
  REPLAY_NO_CANDIDATES: "no Phase-2 record has an English twin to replay",
  REPLAY_NO_SERVERS: "no generation servers were given",
  REPLAY_RATIO_NEEDS_PHASE2: "a replay ratio was given without the Phase-2 set it is a fraction of",
  REPLAY_SERVERS_DIFFER: "generation servers do not share model, template and sampling",
  TRANSLATE_COUNTS: "a translation run's counts do not add up",
  TRANSLATE_SETTINGS_CHANGED: "a translation output was started with other settings",
  REPLAY_INTERRUPTED: "a replay run was interrupted with items pending",
  REPLAY_ITEMS_FAILED: "some replay items failed",
  REPLAY_NO_EMBEDDED_LM: "@cftkit/lm does not provide the embedded model",
  REPLAY_NOTHING_ACCEPTED: "replay selection kept no record at all",
  TRANSLATE_INTERRUPTED: "a translation run was interrupted with translations pending; rerun to resume",
  TRANSLATE_INCOMPLETE: "a translation run ended with translations pending or failed; rerun to resume",
} as const;

declare module "@cftkit/core" {
  interface CftkitErrorCodes extends Record<keyof typeof REPLAY_ERROR_CODES, string> {}
}
