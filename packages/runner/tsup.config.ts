import { packageBuild } from "../../tsup.base";

export default packageBuild([
  "src/hidden-states-settings.ts",
  "src/des-file-options.ts",
  "src/quickstart-settings.ts",
  "src/experiment-file-options.ts",
]);
