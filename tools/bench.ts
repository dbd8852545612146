// `npm run bench -- <name> [args]` runs bench/<name>.ts; with no name it lists the benchmarks.
// Benchmarks print their numbers next to a baseline measured in the same run; they assert nothing.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const benchDir = join(import.meta.dirname, "..", "bench");
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.replace(/\.ts$/, ""))
  .sort();
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join("|")}> [options]`);
  process.exit(name ? 2 : 0);
}
process.argv = [process.argv[0]!, join(benchDir, `${name}.ts`), ...rest];
await import(pathToFileURL(join(benchDir, `${name}.ts`)).href);
