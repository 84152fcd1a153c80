import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import type { CliContext } from '../../src/cli-context';
import { buildProgram, run } from '../../src/program';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `recsys <args>` in this process against the given service addresses,
 * capturing what commands write and what commander itself prints (usage
 * errors, help), with the exit code the real binary would return.
 */
export async function runCli(addresses: Partial<CliContext['addresses']>, args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const ctx: CliContext = {
    addresses: { profile: 'unused:1', registry: 'unused:1', ranking: 'unused:1', ...addresses },
    out: new PassThrough().on('data', (c) => (out += c)),
    err: new PassThrough().on('data', (c) => (err += c)),
    interactive: false,
  };
  const program = buildProgram(() => ctx);
  // Subcommands copy output settings when created: capture commander's own messages on each.
  const capture = (cmd: Command) => {
    cmd.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
    cmd.commands.forEach(capture);
  };
  capture(program);
  process.exitCode = undefined;
  try {
    return { code: await run(program, args), out, err };
  } finally {
    process.exitCode = undefined;
  }
}
