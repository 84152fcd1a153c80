import { CatalogItemSchema } from './catalog-item';
import { MlModelSchema } from './ml-model';
import { RecommendationSchema } from './recommendation';
import { UserProfileSchema } from './user-profile';
import { WebsiteSchema } from './website';

export * from './catalog-item';
export * from './enums';
export * from './ml-model';
export * from './recommendation';
export * from './user-profile';
export * from './website';

/** Every table's entity, for the ORM config. */
export const ENTITIES = [WebsiteSchema, UserProfileSchema, RecommendationSchema, MlModelSchema, CatalogItemSchema];
