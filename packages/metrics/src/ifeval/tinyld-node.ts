// Node: tinyld is required on the first language check, not when @cftkit/metrics is imported.
import { createRequire } from "node:module";
import { setTinyldSource } from "./language-detect.js";

const require = createRequire(import.meta.url);
setTinyldSource(() => (require("tinyld") as typeof import("tinyld")).detectAll);
