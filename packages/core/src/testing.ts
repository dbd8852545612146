/** Test helpers of @cftkit/core: a real OpenAI-compatible HTTP server on 127.0.0.1 that injects faults. */
export {
  startFaultServer,
  faultItemKey,
  type FaultServer,
  type FaultServerOptions,
  type FaultServerStats,
  type FaultItemStats,
  type FaultKind,
  type FaultEndpoint,
  type FaultRequestInfo,
} from "./testing/fault-server.js";
