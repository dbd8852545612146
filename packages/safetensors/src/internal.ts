/** Internals shared with tests, benchmarks, tools and sibling packages; not part of the documented API (the main entry). */
export { checkHeaderLength } from "./header.js";
export {
  widenInPlace,
  f16BitsToNumber,
  f32BitsToF16,
  f32BitsToBf16,
  f8e4m3BitsToNumber,
  f8e5m2BitsToNumber,
} from "./convert.js";
export { encodeHeader, shardFileName, planShards, tensorByteLength } from "./writer.js";
