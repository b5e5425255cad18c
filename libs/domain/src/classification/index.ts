// Classification: rules as data (a "watch" folder of JSON files), applied by pure functions.
export {
  classifyArticle,
  cameoCodesFor,
  type ArticleClassification,
  type ArticleInput,
} from './classify-article';
export { toArticleClassifiedV1 } from './to-contract';
export {
  compileWatch,
  watchTerms,
  type EntityRef,
  type TermTag,
  type MentionVia,
  type OfficialRef,
  type Side,
  type TriggerRef,
  type Watch,
} from './compile-watch';
export {
  defaultWatchDir,
  defaultWatchId,
  findRepoRoot,
  loadDefaultWatch,
  loadWatch,
  optionalWatchFileNames,
  parseWatch,
  watchFileNames,
  watchesDir,
  WatchValidationError,
  type WatchIssue,
  type WatchSources,
} from './load-watch';
export { longestFirst, PatternSet, TermIndex, tokenize, type Match, type Tokens } from './term-index';
export { scanArticle, scanSentence, type SentenceTerms } from './sentence-terms';
export { isoWeek, publicationDay, resolveDates, type ResolvedDate } from './dates';
export {
  sentenceSpans,
  splitSentences,
  toSentences,
  type ArticleText,
  type Sentence,
  type SentenceZone,
} from './text';
export { JsonSyntaxError, parseJsonWithLines, type LocatedJson } from './json-locate';
export * from './watch.schema';
export {
  calibrationEdges,
  calibrationOutcomes,
  fitCalibration,
  labelledItemSchema,
  reliabilityOf,
  parseLabelledJsonl,
  scoreRun,
  type EvalDetails,
  type EvalSummary,
  type ItemVerdict,
  type LabelledItem,
  type PerTypeScore,
  type Prf,
} from './evaluation';
export {
  calibrate,
  calibrationFileSchema,
  fitCalibrationTable,
  reliabilityTable,
  type CalibrationBin,
  type CalibrationFile,
  type CalibrationTable,
  type Outcome,
  type Reliability,
  type ReliabilityRow,
} from './calibration';
export {
  articleIngestedEventId,
  classificationEvents,
  type Causation,
  type ClassifiableArticle,
} from './classification-events';
