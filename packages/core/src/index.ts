export { CftkitError, isCftkitError, type CftkitErrorCode, type CftkitErrorCodes } from "./cftkit-error.js";
export { CORE_ERROR_CODES } from "./error-codes.js";
export { writeFileAtomic, writeFileAtomicSync, writeJsonAtomic } from "./atomic-write.js";
export { AtomicFileWriter } from "./atomic-file-writer.js";
export { SeededRandom } from "./seeded-random.js";
export { sha256, sha256File, stableHash, stableStringify } from "./hash.js";
export {
  type ProgressReporter,
  type ProgressUpdate,
  silentProgress,
  TerminalProgress,
  JsonLinesProgress,
  progressFor,
} from "./progress.js";
export { readJsonLines, type JsonLine } from "./json-lines.js";
export {
  OpenAICompatibleClient,
  type OpenAIClientOptions,
  type OpenAIBackoffOptions,
  type OpenAIClientStats,
  type OpenAIFailureKind,
  type ChatParams,
  type CompleteParams,
  type ChatResult,
  type CompleteResult,
  type CompletionLogprobs,
  type FinishReason,
  type Usage,
} from "./openai-client.js";
export {
  CHAT_ROLES,
  CHAT_ROLE_ALIASES,
  chatRoleOf,
  type ChatMessage,
  type ChatRole,
} from "./chat-message.js";
export { checkOptions, formatZodIssues, type OptionsSchema, type SchemaIssues } from "./zod-issues.js";
export {
  launchOpenAIServer,
  freePort,
  fillServerArgv,
  type LaunchServerOptions,
  type LaunchedServer,
} from "./server-launcher.js";
export { importOptional } from "./optional-import.js";
export { printable, printableLines, hasUnprintable } from "./printable.js";
export { shellQuote, shellCommand, shellComment, ShellScript } from "./shell-script.js";
export { resolveInsideFolder } from "./path-inside.js";
export { LineSplitter, DEFAULT_MAX_LINE_BYTES, type SplitLine } from "./line-splitter.js";
export type { ReadJsonLinesOptions } from "./json-lines.js";
export { hubCacheDir, hubCachedSnapshot, isHubModelId } from "./hf-hub-cache.js";
export { formatTable } from "./text-table.js";
