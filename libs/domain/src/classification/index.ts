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
  Gazetteer,
  type EntityRef,
  type GazetteerEntry,
  type Match,
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
  parseWatch,
  watchFileNames,
  watchesDir,
  WatchValidationError,
  type WatchIssue,
  type WatchSources,
} from './load-watch';
export { isoWeek, publicationDay, resolveDates, type ResolvedDate } from './dates';
export { splitSentences, toSentences, type Sentence, type SentenceZone } from './text';
export { JsonSyntaxError, parseJsonWithLines, type LocatedJson } from './json-locate';
export * from './watch.schema';
export {
  labelledItemSchema,
  parseLabelledJsonl,
  scoreRun,
  type EvalDetails,
  type EvalSummary,
  type ItemVerdict,
  type LabelledItem,
  type PerTypeScore,
  type Prf,
} from './evaluation';
