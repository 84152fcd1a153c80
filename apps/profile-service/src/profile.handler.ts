import type {
  DeleteProfileRequest,
  DeleteProfileResponse,
  GetProfileRequest,
  GetProfileResponse,
  ListProfilesRequest,
  ListProfilesResponse,
  ProfileServiceService,
  TrackEventsRequest,
  TrackEventsResponse,
} from '@recsys/contracts/profile';
import { UnimplementedError, type ServiceImplementation } from '@recsys/service-kit';

const pending = (rpc: string) =>
  new UnimplementedError(`recsys.profile.v1.ProfileService/${rpc} is not implemented yet (issue #4: profile service)`);

/** recsys.profile.v1.ProfileService. Every RPC lands with issue #4; until then each says so. */
export class ProfileHandler implements ServiceImplementation<typeof ProfileServiceService> {
  async trackEvents(_request: TrackEventsRequest): Promise<TrackEventsResponse> {
    throw pending('TrackEvents');
  }

  async getProfile(_request: GetProfileRequest): Promise<GetProfileResponse> {
    throw pending('GetProfile');
  }

  async listProfiles(_request: ListProfilesRequest): Promise<ListProfilesResponse> {
    throw pending('ListProfiles');
  }

  async deleteProfile(_request: DeleteProfileRequest): Promise<DeleteProfileResponse> {
    throw pending('DeleteProfile');
  }
}
