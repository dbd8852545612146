import { basename, delimiter, dirname, resolve } from "node:path";

/**
 * How this cftkit process was launched, as the words a generated script (commands.sh) uses to call cftkit
 * again (docs/hardening.md):
 * - `npx cftkit …` (the project's `node_modules/.bin/cftkit`) → `npx cftkit`;
 * - an installed `cftkit` whose folder is on PATH → `cftkit`; elsewhere → its absolute path;
 * - the TypeScript sources run by tsx (`…/src/main.ts`) → `npx tsx <that file>`;
 * - anything else (`node packages/cli/bin/cftkit.js`, a bin outside PATH) → `node <absolute script>`; the bin
 *   itself runs the build when there is one and the sources otherwise.
 */
export function cftkitInvocation(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const script = argv[1] ? resolve(argv[1]) : undefined;
  if (!script) return ["cftkit"];
  if (basename(script) === "cftkit") {
    // npx (and npm scripts) run the project's node_modules/.bin/cftkit link.
    if (basename(dirname(script)) === ".bin" && basename(dirname(dirname(script))) === "node_modules") {
      return ["npx", "cftkit"];
    }
    const onPath = (env.PATH ?? "").split(delimiter).some((p) => p && resolve(p) === dirname(script));
    return onPath ? ["cftkit"] : [script];
  }
  if (script.endsWith(".ts")) return ["npx", "tsx", script];
  return ["node", script];
}
