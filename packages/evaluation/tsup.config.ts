import { packageBuild } from "../../tsup.base";

export default packageBuild(["src/internal.ts", "src/eval-run-options.ts"]);
