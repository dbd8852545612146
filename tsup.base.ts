import { defineConfig, type Options } from "tsup";

/** The build every @cftkit package shares: ESM + CJS + .d.ts from src/index.ts (and extra entries). */
export function packageBuild(extraEntries: string[] = []): ReturnType<typeof defineConfig> {
  const options: Options = {
    entry: ["src/index.ts", ...extraEntries],
    format: ["esm", "cjs"],
    dts: !process.env.CFTKIT_SKIP_DTS,
    sourcemap: true,
    clean: true,
    target: "node20",
    splitting: false,
    shims: true,
  };
  return defineConfig(options);
}
