import type { RecommendRequest } from '@recsys/contracts/ranking';
import { DEVICES, PAGE_TYPES, RECOMMENDATION_TYPES } from '@recsys/contracts/vocabularies';
import { isCandidateKey, isKnownTimeZone, type DeviceClass, type PageKind } from '@recsys/features';
import { InvalidArgumentError } from '@recsys/service-kit';
import type { ItemKind } from '../catalog/catalog-repository';
import { itemId, itemIdList, maxCount, maxLength, modelName, notInFuture, uuid } from '../validation/fields';

/** A validated Recommend request with defaults resolved. */
export interface RecommendQuery {
  websiteId: string;
  userId: string;
  sessionId: string;
  kind: ItemKind;
  count: number;
  /** 0 = the service default. */
  maxPerCategory: number;
  /** '' = the service's configured model name. */
  modelName: string;
  explain: boolean;
  dryRun: boolean;
  time: Date;
  timeZone?: string;
  device?: DeviceClass;
  pageType?: PageKind;
  pageUrl?: string;
  contextItemId?: string;
  contextCategory?: string;
  cartItemIds: string[];
  recentItemIds: string[];
  /** Undefined = generate candidates. */
  candidates?: { itemId: string; features: Record<string, number> }[];
  exclude: Set<string>;
  includeCategories?: Set<string>;
  excludeCategories: Set<string>;
}

/** BCP 47, loosely: language, then subtags of letters and digits. */
const LOCALE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

export function parseRecommendRequest(req: RecommendRequest, now: Date): RecommendQuery {
  const websiteId = uuid(req.websiteId, 'website_id');
  const userId = maxLength(req.userId, 255, 'user_id');
  const sessionId = uuid(req.sessionId, 'session_id');
  if (req.count < 0 || req.count > 100) throw new InvalidArgumentError(`must be between 1 and 100 (0 = 10), got ${req.count}`, 'count');
  if (req.maxItemsPerCategory < 0 || req.maxItemsPerCategory > 100) {
    throw new InvalidArgumentError(`must be between 1 and 100 (0 = the service default), got ${req.maxItemsPerCategory}`, 'max_items_per_category');
  }
  const ctx = req.context;
  let time = now;
  let timeZone: string | undefined;
  if (ctx) {
    maxLength(ctx.pageUrl, 2048, 'context.page_url');
    if (ctx.itemId) itemId(ctx.itemId, 'context.item_id');
    maxLength(ctx.category, 255, 'context.category');
    if (ctx.locale && (ctx.locale.length > 35 || !LOCALE.test(ctx.locale))) throw new InvalidArgumentError(`is not a BCP 47 tag: ${JSON.stringify(ctx.locale.slice(0, 40))}`, 'context.locale');
    maxLength(ctx.referrer, 2048, 'context.referrer');
    if (ctx.time) time = notInFuture(ctx.time, now, 'context.time');
    if (ctx.timeZone) {
      if (!isKnownTimeZone(ctx.timeZone)) throw new InvalidArgumentError(`unknown IANA time zone ${JSON.stringify(ctx.timeZone.slice(0, 64))}`, 'context.time_zone');
      timeZone = ctx.timeZone;
    }
  }
  const cartItemIds = itemIdList(ctx?.cartItemIds ?? [], 100, 'context.cart_item_ids');
  const recentItemIds = itemIdList(ctx?.recentItemIds ?? [], 50, 'context.recent_item_ids');

  maxCount(req.candidates, 1000, 'candidates');
  let candidates: RecommendQuery['candidates'];
  if (req.candidates.length > 0) {
    // Runs for every candidate of every call: field paths are built only for an error.
    const seen = new Set<string>();
    for (let i = 0; i < req.candidates.length; i++) {
      const c = req.candidates[i]!;
      const id = c.itemId;
      if (id.length === 0 || id.length > 255) itemId(id, `candidates[${i}].item_id`);
      if (seen.has(id)) throw new InvalidArgumentError(`item ${JSON.stringify(id)} appears more than once`, `candidates[${i}].item_id`);
      seen.add(id);
      let keys = 0;
      for (const k in c.features) {
        if (++keys > 64) throw new InvalidArgumentError(`at most 64 entries, got ${Object.keys(c.features).length}`, `candidates[${i}].features`);
        if (!isCandidateKey(k)) throw new InvalidArgumentError(`key ${JSON.stringify(k.slice(0, 80))} must be 1..64 characters of [A-Za-z0-9_]`, `candidates[${i}].features`);
        if (!Number.isFinite(c.features[k])) throw new InvalidArgumentError(`value for ${JSON.stringify(k)} is not finite`, `candidates[${i}].features`);
      }
    }
    // The decoded candidates are used as they are (itemId and features are all the query reads).
    candidates = req.candidates;
  }
  const exclude = new Set(itemIdList(req.excludeItemIds, 1000, 'exclude_item_ids'));
  maxCount(req.includeCategories, 100, 'include_categories');
  maxCount(req.excludeCategories, 100, 'exclude_categories');

  return {
    websiteId,
    userId,
    sessionId,
    kind: RECOMMENDATION_TYPES.nameOf(req.type) ?? 'product',
    count: req.count === 0 ? 10 : req.count,
    maxPerCategory: req.maxItemsPerCategory,
    modelName: modelName(req.modelName, 'model_name'),
    explain: req.explain,
    dryRun: req.dryRun,
    time,
    timeZone,
    device: ctx ? DEVICES.nameOf(ctx.device) : undefined,
    pageType: ctx ? PAGE_TYPES.nameOf(ctx.pageType) : undefined,
    pageUrl: ctx?.pageUrl || undefined,
    contextItemId: ctx?.itemId || undefined,
    contextCategory: ctx?.category || undefined,
    cartItemIds,
    recentItemIds,
    candidates,
    exclude,
    includeCategories: req.includeCategories.length > 0 ? new Set(req.includeCategories) : undefined,
    excludeCategories: new Set(req.excludeCategories),
  };
}
