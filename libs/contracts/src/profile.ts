// recsys.profile.v1: ProfileService (profile-service). Generated code lives in
// ./gen; regenerate with `npm run generate`, never edit it by hand.
export * from './gen/recsys/profile/v1/profile';
export * from './gen/recsys/profile/v1/event';
export * from './gen/recsys/profile/v1/profile_service';
