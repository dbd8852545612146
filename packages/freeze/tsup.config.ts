import { packageBuild } from "../../tsup.base";

// The singular-value worker runs in child processes: it is its own entry (dist/linalg/svd-worker.{js,cjs}).
export default packageBuild(["src/internal.ts", "src/linalg/svd-worker.ts"]);
