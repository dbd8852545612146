import { packageBuild } from "../../tsup.base";

export default packageBuild(["src/cftkit-error.ts", "src/internal.ts", "src/testing.ts"]);
