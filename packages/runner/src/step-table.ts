import type { PipelineStep } from "./step.js";
import { desStep } from "./steps/des.js";
import { driftStep } from "./steps/drift.js";
import { evaluateStep } from "./steps/evaluate.js";
import { hiddenStatesStep } from "./steps/hidden-states.js";
import { mpdStep } from "./steps/mpd.js";
import { paperMpdStep } from "./steps/paper-mpd.js";
import { phase1Step } from "./steps/phase1.js";
import { phase2Step } from "./steps/phase2.js";
import { phase2OnlyStep } from "./steps/phase2-only.js";
import { projectionStep } from "./steps/projection.js";
import { replayStep } from "./steps/replay.js";
import { reportStep } from "./steps/report.js";
import { selectionsStep } from "./steps/selections.js";

/**
 * The experiment as a table of steps, run in this order (docs/architecture.md): a step sees what every
 * earlier step kept in the run state. To add a step, write `src/steps/<name>.ts` exporting a
 * `PipelineStep` and put it here where its inputs are ready.
 */
export const STEP_TABLE: readonly PipelineStep[] = [
  desStep,
  phase1Step,
  selectionsStep,
  replayStep,
  phase2Step,
  phase2OnlyStep,
  evaluateStep,
  mpdStep,
  paperMpdStep,
  hiddenStatesStep,
  driftStep,
  projectionStep,
  reportStep,
];

export const STEP_NAMES = STEP_TABLE.map((s) => s.name);
