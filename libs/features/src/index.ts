// @recsys/features: the feature vocabulary shared by serving and training. Pure: no DB, no gRPC.
export * from './inputs';
export { FEATURES, FEATURES_BY_NAME, CANDIDATE_FEATURE, CANDIDATE_KEY, popularityOf, type FeatureDefinition } from './vocabulary';
export { assembleFeatureMatrix, compileFeatureColumns, featureValuesOf, unknownFeatureNames, UnknownFeatureError, type ColumnExtractor } from './matrix';
export { isKnownTimeZone, localHourAndDay } from './time';
