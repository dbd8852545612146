export { covarianceShift, type CovarianceShift, type SampleMatrix } from "./covariance-drift.js";
export {
  readActivationFile,
  writeActivationFile,
  type ActivationFile,
  type ActivationFileShape,
  type ActivationLayer,
} from "./activation-file.js";
export { layerDrift, layerDriftFromFiles, modelDrift, type LayerDrift } from "./layer-drift.js";
export {
  modelParameterDifference,
  compareModels,
  MPD_DEFINITION,
  type MpdResult,
  mpdReport,
  type MpdReport,
  describeMpdReport,
} from "./model-parameter-difference.js";
export { project, type ProjectionMethod, type ProjectionOptions } from "./projection.js";
export {
  lineChartSvg,
  scatterChartSvg,
  renderVegaLiteSvg,
  type VegaLiteSpec,
  type LineSeries,
  type ScatterPoint,
  type ChartOptions,
} from "./svg-charts.js";
export type { TextEncoder } from "./encoders/text-encoder.js";
export {
  SentenceTransformerEncoder,
  DEFAULT_SENTENCE_MODEL,
  type SentenceEncoderOptions,
} from "./encoders/sentence-transformer-encoder.js";
export { CachedEncoder } from "./embedding-cache.js";
export {
  des,
  desMatrix,
  datasetEmbedding,
  textOf,
  type DesOptions,
  type DesResult,
  type EmbeddableRecord,
  type EmbeddingText,
} from "./dataset-embedding-similarity.js";
export { SIMILARITY_ERROR_CODES } from "./error-codes.js";
export {
  readSentenceTransformersLayout,
  embedTokens,
  MEAN_POOLING_LAYOUT,
  POOLING_MODES,
  type SentenceTransformersLayout,
  type PoolingConfig,
  type PoolingMode,
  type DenseLayer,
} from "./encoders/sentence-transformers-layout.js";
export type { TokenOutputs } from "./encoders/sentence-transformer-encoder.js";
export { driftReport, type DriftReport, describeDriftReport } from "./drift-report.js";
export { driftOptionsSchema, mpdOptionsSchema, mpdReference } from "./similarity-options.js";
