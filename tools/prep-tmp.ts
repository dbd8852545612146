import { bundledBaseModel, bundledDataDir } from "../packages/runner/src/bundled-data.js";
import { prepareQuickstartData } from "../packages/runner/src/quickstart-data.js";
import { QUICKSTART_PROFILES } from "../packages/runner/src/quickstart-profile.js";
const base = bundledBaseModel()!;
const sizes = { ...QUICKSTART_PROFILES.default, qaPerLanguage: Number(process.argv[3] ?? 4) };
await prepareQuickstartData(bundledDataDir(), process.argv[2]!, sizes, 0, { articles: base.heldoutArticles, firstAlpacaRow: base.firstHeldoutAlpacaRow });
