import { describe, expect, it } from "vitest";
import { chatRoleOf } from "./chat-message.js";
import { formatZodIssues } from "./zod-issues.js";

describe("chatRoleOf", () => {
  it("maps ShareGPT and other speaker names to roles", () => {
    expect(["human", "gpt", "system", "prompter", "model"].map(chatRoleOf)).toEqual([
      "user",
      "assistant",
      "system",
      "user",
      "assistant",
    ]);
  });

  it("names no role for unknown names, inherited keys and non-strings", () => {
    expect(["narrator", "toString", "constructor", "", 3, undefined].map(chatRoleOf)).toEqual(
      Array(6).fill(undefined),
    );
  });
});

describe("formatZodIssues", () => {
  it("names every offending key, the root as (root)", () => {
    const error = {
      issues: [
        { path: ["settings", 0, "name"], message: "required" },
        { path: [], message: "expected object" },
      ],
    };
    expect(formatZodIssues(error)).toBe("settings.0.name: required; (root): expected object");
    expect(formatZodIssues(error, "\n")).toBe("settings.0.name: required\n(root): expected object");
  });
});
