import { join } from "node:path";
import { CftkitError } from "@cftkit/core";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { addDeclaredCommand, parseValues } from "./build-command.js";
import { defineCommand } from "./define-command.js";
import { optionsFrom, schemaValues } from "./schema-options.js";

const schema = z.object({
  topPercent: z.number().min(0).max(100).describe("percent to select"),
  mode: z.enum(["freeze-top", "unfreeze-top"]).default("freeze-top").describe("direction"),
  ratios: z.array(z.number().min(0)).optional().describe("shares"),
  names: z.array(z.string()).default(["a", "b"]).describe("names"),
  dryRun: z.boolean().default(false).describe("only plan"),
  out: z.string().optional().describe("output folder"),
});

const command = defineCommand({
  path: ["demo"],
  description: "demo",
  examples: ["cftkit demo --top-percent 5"],
  options: optionsFrom(schema, { topPercent: { metavar: "P" }, out: { path: "output-folder" } }),
  run() {},
});

function help(): string {
  const program = new Command();
  addDeclaredCommand(program, command, {});
  return program.commands[0]!.helpInformation();
}

describe("optionsFrom", () => {
  it("writes flags, help text, choices, defaults and required markers from the schema", () => {
    const text = help();
    expect(text).toContain("--top-percent <P>");
    expect(text).toMatch(/percent to select \(required\)/);
    expect(text).toMatch(/direction: freeze-top \| unfreeze-top \(default: freeze-top\)/);
    expect(text).toMatch(/--ratios <list>\s+shares\n/);
    expect(text).toMatch(/names \(default: a,b\)/);
    expect(text).toMatch(/--dry-run\s+only plan\n/);
    expect(text).toMatch(/--out <value>\s+output folder\n/);
  });

  it("parses command-line strings into the schema's numbers and lists", () => {
    const values = parseValues(command, { topPercent: "12.5", ratios: "0.9, 0.1", dryRun: true });
    expect(values).toMatchObject({ topPercent: 12.5, ratios: [0.9, 0.1], names: ["a", "b"], dryRun: true });
    expect(values.mode).toBe("freeze-top");
  });

  it("rejects what the schema rejects, naming the flag", () => {
    const bad = (raw: Record<string, unknown>) => {
      try {
        parseValues(command, raw);
      } catch (error) {
        return error instanceof CftkitError ? `${error.code}: ${error.message}` : String(error);
      }
      return "accepted";
    };
    expect(bad({ topPercent: "150" })).toMatch(/^CLI_BAD_OPTION: --top-percent/);
    expect(bad({ topPercent: "x" })).toMatch(/^CLI_BAD_OPTION: --top-percent/);
    expect(bad({ topPercent: "5", ratios: "0.5,-1" })).toMatch(/^CLI_BAD_OPTION: --ratios/);
    expect(bad({})).toMatch(/^CLI_MISSING_OPTION: --top-percent is required/);
  });

  it("renames a flag (and the handler's key) when asked", () => {
    const renamed = optionsFrom(
      z.object({ learningRate: z.number().gt(0).default(1e-6).describe("peak lr") }),
      {
        learningRate: { flag: "lr", metavar: "number" },
      },
    );
    expect(Object.keys(renamed)).toEqual(["lr"]);
    expect(renamed.lr.flags).toBe("--lr <number>");
    expect(renamed.lr.schema.parse("3e-3")).toBe(0.003);
    const lrSchema = z.object({
      learningRate: z.number().describe("peak lr"),
      seed: z.number().describe("seed"),
    });
    expect(
      schemaValues(lrSchema, { learningRate: { flag: "lr" } }, { lr: 0.003, seed: 1, json: true }),
    ).toEqual({
      learningRate: 0.003,
      seed: 1,
    });
  });

  it("turns a flag that is on by default into --no-…, keeping the field's key", () => {
    const { filterEmpty } = optionsFrom(
      z.object({ filterEmpty: z.boolean().default(true).describe("keep empty responses") }),
    );
    expect(filterEmpty.flags).toBe("--no-filter-empty");
    const program = new Command();
    const on = defineCommand({
      path: ["on"],
      description: "d",
      examples: ["e"],
      options: { filterEmpty },
      run() {},
    });
    addDeclaredCommand(program, on, {});
    expect(program.commands[0]!.helpInformation()).toMatch(/--no-filter-empty\s+keep empty responses\n/);
    expect(parseValues(on, {}).filterEmpty).toBe(true);
    expect(parseValues(on, { filterEmpty: false }).filterEmpty).toBe(false);
  });

  it("takes a path role from the field's .meta(), which an override may change", () => {
    const paths = z.object({
      data: z.string().meta({ path: "input" }).describe("rows to read"),
      out: z.string().meta({ path: "output-file" }).optional().describe("file to write"),
      model: z.string().default("m").describe("model").meta({ path: "model" }),
      name: z.string().optional().describe("a name, not a path"),
    });
    const params = optionsFrom(paths, { out: { path: "output-folder" } });
    expect(params.data.path).toBe("input");
    expect(params.out.path).toBe("output-folder");
    expect(params.model.path).toBe("model");
    expect(params.name.path).toBeUndefined();
    const demo = defineCommand({
      path: ["paths"],
      description: "d",
      examples: ["e"],
      options: optionsFrom(paths),
      run() {},
    });
    // The guard reads the role: writing onto the file read is refused before anything runs.
    expect(() => parseValues(demo, { data: "same.jsonl", out: "same.jsonl" })).toThrow(
      expect.objectContaining({ code: "CLI_OUTPUT_IS_INPUT" }),
    );
    expect(() => optionsFrom(z.object({ x: z.string().meta({ path: "somewhere" }).describe("x") }))).toThrow(
      /unknown path role somewhere/,
    );
  });

  it("takes the files an output writes from the field's .meta({ writes }), so the guard checks them too", () => {
    const schema = z.object({
      data: z.string().meta({ path: "input" }).describe("rows to read"),
      out: z
        .string()
        .meta({ path: "output-folder", writes: (dir: string) => [join(dir, "rows.jsonl")] })
        .describe("folder to write rows.jsonl into"),
    });
    const writes = defineCommand({
      path: ["writes"],
      description: "d",
      examples: ["e"],
      options: optionsFrom(schema),
      run() {},
    });
    expect(() => parseValues(writes, { data: join("dir", "rows.jsonl"), out: "dir" })).toThrow(
      expect.objectContaining({ code: "CLI_OUTPUT_IS_INPUT", message: expect.stringMatching(/--out/) }),
    );
    expect(parseValues(writes, { data: join("dir", "other.jsonl"), out: "dir" }).out).toBe("dir");
  });

  it("refuses a field without help text", () => {
    expect(() => optionsFrom(z.object({ quiet: z.boolean() }))).toThrow(/quiet has no .describe/);
  });
});
