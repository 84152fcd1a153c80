// recsys.ranking.v1: RankingService (ranking-service). Generated code lives in
// ./gen; regenerate with `npm run generate`, never edit it by hand.
export * from './gen/recsys/ranking/v1/ranking';
export * from './gen/recsys/ranking/v1/ranking_service';
