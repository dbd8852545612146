import { describe, expect, it } from "vitest";
import { writeHiddenStatesFile } from "./hidden-states-file.js";
import { hiddenStatesSettingsSchema, transformersEngineSchema } from "./hidden-states-settings.js";

describe("hiddenStatesSettingsSchema (the API's check and `cftkit lm hidden-states`'s flags)", () => {
  it("fills the defaults the CLI shows", () => {
    expect(hiddenStatesSettingsSchema.parse({})).toEqual({
      batchSize: 8,
      chatTemplate: false,
      stream: false,
      engine: "embedded",
      batchTokens: 2048,
    });
    expect(transformersEngineSchema.parse({})).toEqual({ python: "python3", device: "auto", dtype: "auto" });
    expect(transformersEngineSchema.safeParse({ device: "tpu" }).success).toBe(false);
    expect(hiddenStatesSettingsSchema.safeParse({ workDir: "" }).success).toBe(false);
    expect(hiddenStatesSettingsSchema.shape.workDir.unwrap().meta()?.path).toBe("output-folder");
  });

  it("is checked by writeHiddenStatesFile before any file is read", async () => {
    const options = {
      prompts: "no-such.jsonl",
      engine: "embedded" as const,
      batchSize: 0,
      batchTokens: 2048,
    };
    await expect(writeHiddenStatesFile("no-such-model", "out.safetensors", options)).rejects.toMatchObject({
      code: "RUN_BAD_OPTION",
      message: expect.stringContaining("batchSize"),
    });
  });
});
