export {
  articleIdentity,
  contentHash,
  dedupeItems,
  latestPerArticle,
  type ArticleIdentity,
  type IdentityRule,
} from './article-identity';
export { canonicalizeUrl } from './canonical-url';
export { toArticleIngested, type ToArticleIngestedOptions } from './to-article-ingested';
