import type { Command } from 'commander';
import type { CommandGroup } from './index';
import { registerProfileQueries } from './profile-queries';
import { registerUmamiImport } from './profiles-import';

/** `recsys profiles …`: reading and erasing profiles (profile-queries.ts), building them from an existing Umami database (profiles-import.ts). */
export const registerProfileCommands: CommandGroup = (program: Command, ctx) => {
  const profiles = program.command('profiles').description('User profiles (profile-service).');
  registerProfileQueries(profiles, ctx);
  registerUmamiImport(profiles, ctx);
};
