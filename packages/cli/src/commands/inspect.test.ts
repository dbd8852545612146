import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../program.js";
import { makeTinyLlamaCheckpoint } from "../../../../tools/make-fixtures.js";
import { malformedCases, writeMalformedCase } from "../../../../tools/safetensors-malformed.js";
import { runCftkit } from "../testing/run-cftkit.js";

async function cftkit(args: string[]): Promise<{ exit: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await runCftkit(args);
  return { exit: code, stdout, stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-inspect-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("cftkit inspect", () => {
  it("lists every tensor of a sharded folder with dtype, shape, shard file and the totals (--json)", {
    timeout: 240_000,
  }, async () => {
    const model = join(dir, "sharded");
    const { specs } = await makeTinyLlamaCheckpoint(model, { maxShardBytes: 20_000, seed: 5 });
    const { exit, stdout, stderr } = await cftkit(["inspect", model, "--json"]);
    expect(exit, stderr).toBe(0);
    const out = JSON.parse(stdout) as {
      tensors: { name: string; dtype: string; shape: number[]; file: string }[];
      totalParameters: number;
      totalBytes: number;
    };
    const index = (await import("node:fs")).readFileSync(join(model, "model.safetensors.index.json"), "utf8");
    const weightMap = JSON.parse(index).weight_map as Record<string, string>;
    expect(out.tensors.map((t) => t.name)).toEqual(specs.map((s) => s.name));
    for (const t of out.tensors) {
      expect(t.file).toBe(weightMap[t.name]);
      expect(t.dtype).toBe("F32");
    }
    expect(new Set(out.tensors.map((t) => t.file)).size).toBeGreaterThan(2);
    const expectedParams = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
    expect(out.totalParameters).toBe(expectedParams);
    expect(out.totalBytes).toBe(expectedParams * 4);
    expect(out.tensors.find((t) => t.name === "model.layers.1.mlp.down_proj.weight")!.shape).toEqual([
      32, 64,
    ]);

    const human = await cftkit(["inspect", model]);
    expect(human.exit).toBe(0);
    expect(human.stdout).toMatch(
      /model\.layers\.0\.self_attn\.q_proj\.weight\s+F32\s+\[32, 32\]\s+model-0000\d-of-0000\d\.safetensors/,
    );
    expect(human.stdout).toContain(`${expectedParams.toLocaleString("en-US")} parameters`);
  });

  it("gives each malformed file its own error code, exit 2, and no stack trace (in-process, every code)", async () => {
    const byCode = new Map<string, ReturnType<typeof malformedCases>[number]>();
    for (const c of malformedCases()) if (!byCode.has(c.code)) byCode.set(c.code, c);
    expect(byCode.size).toBeGreaterThanOrEqual(10);
    let i = 0;
    for (const c of byCode.values()) {
      const path = await writeMalformedCase(join(dir, `inproc-${i++}`), c);
      const stderr: string[] = [];
      const stdout: string[] = [];
      const errSpy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
        stderr.push(String(chunk));
        return true;
      });
      const outSpy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
        stdout.push(String(chunk));
        return true;
      });
      let exit: number;
      try {
        exit = await runCli(["inspect", path, "--json"]);
      } finally {
        errSpy.mockRestore();
        outSpy.mockRestore();
      }
      expect(exit, `${c.code}: ${stderr.join("")}`).toBe(2);
      expect(stderr.join("")).toMatch(new RegExp(`^error\\[${c.code}\\]: \\S`));
      expect(stderr.join("")).not.toMatch(/\n\s+at /);
      expect(stdout.join("")).toBe("");
    }
  });

  it("the cftkit binary exits 2 with error[CODE] and no stack trace on malformed files", {
    timeout: 240_000,
  }, async () => {
    const wanted = [
      "SAFETENSORS_HEADER_TOO_LARGE",
      "SAFETENSORS_TRUNCATED",
      "SAFETENSORS_DUPLICATE_TENSOR",
      "SAFETENSORS_SHARD_MISSING",
    ];
    const cases = malformedCases().filter(
      (c, i, all) => wanted.includes(c.code) && all.findIndex((d) => d.code === c.code) === i,
    );
    expect(cases.map((c) => c.code).sort()).toEqual([...wanted].sort());
    const results = await Promise.all(
      cases.map(async (c, i) => {
        const path = await writeMalformedCase(join(dir, `bin-${i}`), c);
        return { code: c.code, ...(await cftkit(["inspect", path, "--json"])) };
      }),
    );
    for (const r of results) {
      expect(r.stderr).toMatch(new RegExp(`^error\\[${r.code}\\]: \\S`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe("");
    }
    expect(results.map((r) => r.exit)).toEqual(cases.map(() => 2));
  });
});
