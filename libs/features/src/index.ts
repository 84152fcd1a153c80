// @recsys/features: the feature vocabulary shared by serving and training. Pure: no DB, no gRPC.
export * from './inputs';
export { FEATURES, FEATURES_BY_NAME, CANDIDATE_FEATURE, isCandidateKey, popularityOf, type FeatureDefinition } from './vocabulary';
export { assembleFeatureMatrix, compileFeatureColumns, CompiledFeatures, featureValuesOf, unknownFeatureNames, UnknownFeatureError } from './matrix';
export { isKnownTimeZone, localHourAndDay } from './time';
