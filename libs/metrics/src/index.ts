// @recsys/metrics: how ranking quality is measured against held-out behaviour.
export {
  aucOf,
  averagePrecisionAtK,
  dcgAtK,
  hitRateAtK,
  idHash,
  mean,
  ndcgAtK,
  precisionAtK,
  rankByScore,
  recallAtK,
  reciprocalRankAtK,
  type ScoredItem,
} from './ranking-metrics';
