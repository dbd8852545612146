/** Internals of @cftkit/core shared with its tests and sibling packages; not part of the documented API. */
export { tempPathFor } from "./atomic-write.js";
export { parseRetryAfter } from "./openai-client.js";
