import type { Vocabulary } from '@recsys/contracts/vocabularies';
import { UsageError } from './command-action';

/**
 * How the CLI prints a contract enum, in tables and in `--json`: its name in
 * the contract's vocabulary (`at_risk`, `no_active_model`); unspecified, or a
 * number the CLI does not know, is `-`.
 */
export const enumName = (vocabulary: Vocabulary<string, number>, value: number): string => vocabulary.nameOf(value) ?? '-';

/** A repeatable flag's values as enum values; a usage error names what is accepted. */
export function enumValues<V extends number>(vocabulary: Vocabulary<string, V>, values: readonly string[], flag: string): V[] {
  return values.map((v) => {
    const name = v.toLowerCase();
    if (!vocabulary.has(name)) throw new UsageError(`${flag} ${v}: expected one of ${vocabulary.names.join(', ')}`);
    return vocabulary.valueOf(name);
  });
}
