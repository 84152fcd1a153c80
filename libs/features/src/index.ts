// @recsys/features: the feature vocabulary shared by serving and training. Pure: no DB, no gRPC.
export * from './inputs';
export { FEATURES, FEATURES_BY_NAME, CANDIDATE_FEATURE, isCandidateKey, popularityOf, type FeatureDefinition, type FeatureInput } from './vocabulary';
// The plain definitions, row by row: what training computes.
export { plainFeatureValue, plainMatrix } from './plain-matrix';
// Serving's compiled assembler (per-request and per-item caches), equal to the plain one cell for cell.
export { assembleFeatureMatrix, columnKindOf, compileFeatureColumns, CompiledFeatures, featureValuesOf, unknownFeatureNames, UnknownFeatureError } from './matrix';
export { isKnownTimeZone, localHourAndDay } from './time';
export { CO_VISITATION_WEIGHT } from './heuristic-weights';
export { FAVOURITE_WEIGHTS, kindWeightSql, SIGNAL_WEIGHTS, type InteractionKind } from './behaviour-weights';
export { BOUGHT_TOGETHER_PER_ITEM, pairSeeds, setCoVisitationShares } from './pair-seeds';
