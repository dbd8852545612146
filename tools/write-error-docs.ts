/** Regenerate docs/errors.md from the packages' error-code catalogues: `npm run docs:errors`. */
import { writeFileSync } from "node:fs";
import { ERROR_DOCS, loadPackages, renderErrorDocs } from "./error-codes.js";

writeFileSync(ERROR_DOCS, renderErrorDocs(await loadPackages()));
console.log(`wrote ${ERROR_DOCS}`);
