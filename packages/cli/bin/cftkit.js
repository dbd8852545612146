#!/usr/bin/env node
// The `cftkit` executable. Runs the built CLI (dist/) when present; in a fresh checkout without a build
// it runs the TypeScript sources through tsx, resolving workspace packages by their "source" condition.
import { existsSync } from "node:fs";
import { register } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const built = fileURLToPath(new URL("../dist/main.js", import.meta.url));
if (existsSync(built) && !process.env.CFTKIT_FROM_SOURCE) {
  await import(pathToFileURL(built).href);
} else {
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
  register(new URL("./source-condition-hook.js", import.meta.url));
  await import(new URL("../src/main.ts", import.meta.url).href);
}
