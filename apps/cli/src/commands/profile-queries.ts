import { ProfileServiceClient, type Profile } from '@recsys/contracts/profile';
import { DEVICES, FUNNEL_POSITIONS, LIFECYCLE_STAGES, PRICE_SENSITIVITIES } from '@recsys/contracts/vocabularies';
import { RankingServiceClient } from '@recsys/contracts/ranking';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { channelCredentials, type CliContext } from '../cli-context';
import { clientAction, unaryCall, UsageError } from '../command-action';
import { enumName, enumValues } from '../enum-names';

function profileAction<A extends unknown[]>(ctx: () => CliContext, body: (c: CliContext, client: ProfileServiceClient, ...args: A) => Promise<void>) {
  return clientAction(ctx, (c) => new ProfileServiceClient(c.addresses.profile, channelCredentials()), body);
}

function call<Req, Res>(c: CliContext, client: ProfileServiceClient, method: 'getProfile' | 'listProfiles' | 'deleteProfile', request: Req): Promise<Res> {
  return unaryCall<Res>(c, client, method, request, 30_000);
}

/** A profile for `--json`: every field, enums by the names the CLI speaks (`at_risk`, `mobile`; `-` when unset). */
export function profileJson(p: Profile): Record<string, unknown> {
  return {
    ...p,
    lifecycleStage: enumName(LIFECYCLE_STAGES, p.lifecycleStage),
    funnelPosition: enumName(FUNNEL_POSITIONS, p.funnelPosition),
    priceSensitivity: enumName(PRICE_SENSITIVITIES, p.priceSensitivity),
    devicePreference: enumName(DEVICES, p.devicePreference),
  };
}

/** One profile as `field  value` lines (what an operator checks by eye). */
function describeProfile(p: Profile): string {
  const lines: [string, string][] = [
    ['user', p.userId],
    ['lifecycle stage', enumName(LIFECYCLE_STAGES, p.lifecycleStage)],
    ['funnel position', enumName(FUNNEL_POSITIONS, p.funnelPosition)],
    ['sessions', String(p.sessionCount)],
    ['page views / events', `${p.totalPageviews} / ${p.totalEvents}`],
    ['purchases / revenue', `${p.totalPurchases} / ${p.totalRevenue}`],
    ['avg session (s)', p.avgSessionDurationSeconds === undefined ? '-' : String(p.avgSessionDurationSeconds)],
    ['avg time on page (s)', p.avgTimeOnPageSeconds === undefined ? '-' : String(p.avgTimeOnPageSeconds)],
    ['avg scroll depth (%)', p.avgScrollDepthPercent === undefined ? '-' : String(p.avgScrollDepthPercent)],
    ['bounce rate', p.bounceRate === undefined ? '-' : String(p.bounceRate)],
    ['favourite categories', p.favoriteCategories.join(', ') || '-'],
    ['favourite products', p.favoriteProducts.join(', ') || '-'],
    ['preferred brands', p.preferredBrands.join(', ') || '-'],
    ['price sensitivity', enumName(PRICE_SENSITIVITIES, p.priceSensitivity)],
    ['device', enumName(DEVICES, p.devicePreference)],
    ['first / last visit', `${p.firstVisit?.toISOString() ?? '-'} / ${p.lastVisit?.toISOString() ?? '-'}`],
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

/** `recsys profiles get | list | delete`: reading and erasing profiles (ProfileService). */
export function registerProfileQueries(profiles: Command, ctx: () => CliContext): void {
  profiles
    .command('get')
    .description('One user’s profile (GetProfile).')
    .requiredOption('--website <uuid>', 'website id')
    .requiredOption('--user <id>', 'user id (logged-in id or session id)')
    .option('--json', 'print the profile as JSON')
    .action(
      profileAction(ctx, async (c, client, flags: { website: string; user: string; json?: boolean }) => {
        const res = await call<unknown, { profile?: Profile }>(c, client, 'getProfile', { websiteId: flags.website, userId: flags.user });
        if (!res.profile) throw new Error('GetProfile answered without a profile');
        c.out.write(flags.json ? `${JSON.stringify(profileJson(res.profile), null, 2)}\n` : describeProfile(res.profile));
      }),
    );

  profiles
    .command('list')
    .description('Profiles of a website, newest last visit first (ListProfiles), one page.')
    .requiredOption('--website <uuid>', 'website id')
    .option('--stage <stage>', `only this lifecycle stage (repeatable): ${LIFECYCLE_STAGES.names.join(', ')}`, (v, acc: string[]) => [...acc, v], [])
    .option('--funnel <position>', `only this funnel position (repeatable): ${FUNNEL_POSITIONS.names.join(', ')}`, (v, acc: string[]) => [...acc, v], [])
    .option('--limit <n>', 'profiles per page, 1..1000', '50')
    .option('--page-token <token>', 'the token the previous page printed')
    .option('--json', 'print the page as JSON: { profiles, nextPageToken }')
    .action(
      profileAction(ctx, async (c, client, flags: { website: string; stage: string[]; funnel: string[]; limit: string; pageToken?: string; json?: boolean }) => {
        const pageSize = Number(flags.limit);
        if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000');
        const res = await call<unknown, { profiles: Profile[]; nextPageToken: string }>(c, client, 'listProfiles', {
          websiteId: flags.website,
          lifecycleStages: enumValues(LIFECYCLE_STAGES, flags.stage, '--stage'),
          funnelPositions: enumValues(FUNNEL_POSITIONS, flags.funnel, '--funnel'),
          pageSize,
          pageToken: flags.pageToken ?? '',
        });
        if (flags.json) return void c.out.write(`${JSON.stringify({ profiles: res.profiles.map(profileJson), nextPageToken: res.nextPageToken }, null, 2)}\n`);
        const table = new Table({ head: ['user', 'stage', 'funnel', 'sessions', 'events', 'purchases', 'revenue', 'last visit'] });
        for (const p of res.profiles) {
          table.push([
            p.userId,
            enumName(LIFECYCLE_STAGES, p.lifecycleStage),
            enumName(FUNNEL_POSITIONS, p.funnelPosition),
            p.sessionCount,
            p.totalEvents,
            p.totalPurchases,
            p.totalRevenue,
            p.lastVisit?.toISOString() ?? '-',
          ]);
        }
        c.out.write(`${res.profiles.length} profiles\n${res.profiles.length ? `${table.toString()}\n` : ''}`);
        if (res.nextPageToken) c.out.write(`next page: --page-token ${res.nextPageToken}\n`);
      }),
    );

  profiles
    .command('delete')
    .description(
      'Erase a user’s profile and its bookkeeping (profile-service DeleteProfile); with --with-recommendations first their rows ' +
        'of the recommendations log (ranking-service DeleteUserRecommendations). Both are idempotent: rerun after a failure.',
    )
    .requiredOption('--website <uuid>', 'website id')
    .requiredOption('--user <id>', 'user id')
    .option('--with-recommendations', 'also delete the user’s rows in the recommendations log (needs ranking-service)')
    .action(
      profileAction(ctx, async (c, client, flags: { website: string; user: string; withRecommendations?: boolean }) => {
        let recommendations: number | undefined;
        if (flags.withRecommendations) {
          const ranking = new RankingServiceClient(c.addresses.ranking, channelCredentials());
          try {
            const erased = await unaryCall<{ recommendationsDeleted: number }>(c, ranking, 'deleteUserRecommendations', { websiteId: flags.website, userId: flags.user });
            recommendations = erased.recommendationsDeleted;
          } finally {
            ranking.close();
          }
        }
        const res = await call<unknown, { profileDeleted: boolean; eventsDeleted: number }>(c, client, 'deleteProfile', {
          websiteId: flags.website,
          userId: flags.user,
          deleteRecommendations: false,
        });
        c.out.write(
          `${res.profileDeleted ? 'profile deleted' : 'no profile'}; ${res.eventsDeleted} bookkeeping rows` +
            (recommendations === undefined ? '' : `, ${recommendations} recommendations rows`) +
            ' deleted\n',
        );
      }),
    );
}
