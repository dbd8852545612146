import { defineConfig } from "vitest/config";

// Slow end-to-end runs (quickstart, large streaming checks): `npm run test:e2e`.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"], externalConditions: ["source"] } },
  test: {
    include: ["packages/*/src/**/*.e2e.test.ts"],
    testTimeout: 1_800_000,
    hookTimeout: 1_800_000,
    pool: "forks",
    fileParallelism: false,
  },
});
