import { describe, expect, it } from "vitest";
import { loraOptionsOf, loraSettingsSchema, PAPER_TRAINING_DEFAULTS } from "./training-defaults.js";

describe("loraOptionsOf: the trainer's lora option from the LoRA choices", () => {
  it("is undefined without a rank (full fine-tuning)", () => {
    expect(loraOptionsOf({})).toBeUndefined();
  });

  it("defaults alpha to 2 × r and dropout/targets to the paper's LoRA baseline", () => {
    expect(loraOptionsOf({ r: 8 })).toEqual({
      r: 8,
      alpha: 16,
      dropout: PAPER_TRAINING_DEFAULTS.lora.dropout,
      targetModules: [...PAPER_TRAINING_DEFAULTS.lora.targetModules],
    });
    expect(loraOptionsOf({ r: 4, alpha: 3, targetModules: ["q_proj"] })).toMatchObject({
      alpha: 3,
      targetModules: ["q_proj"],
    });
  });

  it("refuses what the flags refuse", () => {
    expect(loraSettingsSchema.safeParse({ r: 0 }).success).toBe(false);
    expect(loraSettingsSchema.safeParse({ dropout: 1 }).success).toBe(false);
  });
});
