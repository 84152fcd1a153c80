// @recsys/training: the in-box trainers (issue #18). Offline code: nothing here runs on a request path.
export { DEFAULT_LAMBDAMART, groupNdcg, trainLambdaMart, type LambdaMartOptions, type RankingSet, type TrainedTrees } from './lambdamart';
export { DEFAULT_LOGISTIC, trainLogistic, type LogisticModel, type LogisticOptions } from './logistic-regression';
export { binMatrix, fitTree, type BinnedMatrix, type TreeOptions } from './regression-tree';
export { BehaviourState, type CatalogItem, type Interaction } from './behaviour-state';
export { buildDataset, DEFAULT_DATASET, TRAINED_FEATURES, type Dataset, type DatasetOptions } from './dataset';
export type { LoggedAnswer } from './logged-answers';
export { baselineScores, compareOnValidation, treeScores, type BaselineScores } from './evaluate';
