// recsys.registry.v1: ModelRegistry (registry-service). Generated code lives
// in ./gen; regenerate with `npm run generate`, never edit it by hand.
export * from './gen/recsys/registry/v1/model';
export * from './gen/recsys/registry/v1/model_registry';
