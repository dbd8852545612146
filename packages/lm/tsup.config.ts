import { packageBuild } from "../../tsup.base";

export default packageBuild(["src/internal.ts", "src/training-defaults.ts", "src/model-settings.ts"]);
