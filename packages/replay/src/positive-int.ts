import { z } from "zod";

/**
 * A whole number ≥ 1 that fits 32 bits, for the replay option schemas. Not `z.uint32().min(1)`: that reports
 * "≥ 0" for a negative value. (Each zod-using package keeps this one line: core, the only package they all
 * share, is zod-free.)
 */
export const positiveInt = () =>
  z
    .int()
    .min(1)
    .max(2 ** 32 - 1);
