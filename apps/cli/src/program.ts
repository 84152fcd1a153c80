import { Command, CommanderError } from 'commander';
import { type CliContext } from './cli-context';
import { COMMAND_GROUPS } from './commands';
import { EXIT } from './exit-codes';

/** Builds the `recsys` program; `run` parses argv and resolves the exit code. */
export function buildProgram(makeContext: (flags: { token?: string }) => CliContext): Command {
  const program = new Command('recsys')
    .description('Operate a Recsys deployment: models, profiles, items, recommendations.')
    .option('--token <token>', 'bearer token sent as authorization metadata (default: $RECSYS_TOKEN)')
    .showHelpAfterError()
    .exitOverride();
  const ctx = () => makeContext(program.opts<{ token?: string }>());
  for (const register of COMMAND_GROUPS) register(program, ctx);
  return program;
}

export async function run(program: Command, argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw err;
  }
}
