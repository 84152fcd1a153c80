import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { registerDatasetCommands } from './dataset';
import { registerModelCommands } from './models';
import { registerProfileCommands } from './profiles';
import { registerItemCommands } from './items';
import { registerRecommendCommands } from './recommend';
import { registerSimulateCommands } from './simulate';
import { registerTrainCommands } from './train';

/**
 * Each command group registers itself on the program. Add a group by writing
 * `commands/<group>.ts` exporting `register(program, ctx)` and listing it here.
 */
export type CommandGroup = (program: Command, ctx: () => CliContext) => void;

export const COMMAND_GROUPS: CommandGroup[] = [registerModelCommands, registerProfileCommands, registerRecommendCommands, registerItemCommands, registerSimulateCommands, registerTrainCommands, registerDatasetCommands];
