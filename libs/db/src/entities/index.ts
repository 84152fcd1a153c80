import { CatalogItemSchema } from './catalog-item';
import { InteractionSchema } from './interaction';
import { MlModelSchema } from './ml-model';
import { MlModelActivationSchema } from './ml-model-activation';
import { PROFILE_STATE_ENTITIES } from './profile-state';
import { RecommendationDailyStatSchema, RecommendationSchema } from './recommendation';
import { UserProfileSchema } from './user-profile';
import { WebsiteSchema } from './website';

export * from './catalog-item';
export * from './enums';
export * from './interaction';
export * from './ml-model';
export * from './ml-model-activation';
export * from './profile-state';
export * from './recommendation';
export * from './user-profile';
export * from './website';

/** Every table's entity, for the ORM config. */
export const ENTITIES = [WebsiteSchema, UserProfileSchema, RecommendationSchema, MlModelSchema, MlModelActivationSchema, CatalogItemSchema, ...PROFILE_STATE_ENTITIES, InteractionSchema, RecommendationDailyStatSchema];
