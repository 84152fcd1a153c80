// @recsys/metrics: how ranking quality is measured against held-out behaviour.
export { dcgAtK, mean, ndcgAtK, precisionAtK, recallAtK } from './ranking-metrics';
