import { packageBuild } from "../../tsup.base";

export default packageBuild(["src/internal.ts", "src/similarity-options.ts"]);
