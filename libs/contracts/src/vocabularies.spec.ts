import { Device as ProfileDevice, EventType, FunnelPosition, LifecycleStage, PriceSensitivity } from './profile';
import { Device as RankingDevice, FallbackReason, ItemType, PageType, RecommendationType } from './ranking';
import { ModelStatus } from './registry';
import {
  DEVICES,
  EVENT_TYPES,
  FALLBACK_REASONS,
  FUNNEL_POSITIONS,
  ITEM_TYPES,
  LIFECYCLE_STAGES,
  MODEL_STATUSES,
  PAGE_TYPES,
  PRICE_SENSITIVITIES,
  RECOMMENDATION_TYPES,
  type Vocabulary,
} from './vocabularies';

/** The enum's defined numbers other than UNSPECIFIED (ts-proto also emits UNRECOGNIZED = -1 with some options). */
const valuesOf = (e: Record<string, string | number>) => Object.values(e).filter((v): v is number => typeof v === 'number' && v > 0);

describe('vocabularies', () => {
  it.each([
    ['LifecycleStage', LifecycleStage, LIFECYCLE_STAGES],
    ['FunnelPosition', FunnelPosition, FUNNEL_POSITIONS],
    ['PriceSensitivity', PriceSensitivity, PRICE_SENSITIVITIES],
    ['profile Device', ProfileDevice, DEVICES],
    ['ranking Device', RankingDevice, DEVICES],
    ['EventType', EventType, EVENT_TYPES],
    ['RecommendationType', RecommendationType, RECOMMENDATION_TYPES],
    ['ItemType', ItemType, ITEM_TYPES],
    ['PageType', PageType, PAGE_TYPES],
    ['ModelStatus', ModelStatus, MODEL_STATUSES],
    ['FallbackReason', FallbackReason, FALLBACK_REASONS],
  ] as [string, Record<string, string | number>, Vocabulary<string, number>][])('%s: every value has exactly its enum name, lower case, and back', (_name, e, vocabulary) => {
    const values = valuesOf(e);
    expect(values).toHaveLength(vocabulary.names.length);
    for (const value of values) {
      const name = vocabulary.nameOf(value)!;
      expect(`${vocabulary.prefix}${name.toUpperCase()}`).toBe(e[value]);
      expect(vocabulary.valueOf(name)).toBe(value);
    }
  });

  it('UNSPECIFIED and unknown inputs map to nothing', () => {
    expect(DEVICES.nameOf(0)).toBeUndefined();
    expect(DEVICES.nameOf(99)).toBeUndefined();
    expect(DEVICES.valueOf(undefined)).toBe(0);
    expect(DEVICES.valueOf('phone')).toBe(0);
    expect(DEVICES.has('tablet')).toBe(true);
    expect(DEVICES.has('DEVICE_TABLET')).toBe(false);
    expect(LIFECYCLE_STAGES.nameOf(LifecycleStage.LIFECYCLE_STAGE_AT_RISK)).toBe('at_risk');
  });
});
