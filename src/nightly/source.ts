/** Looks up a configured source by name. Pure. */
import type { Config, SourceConfig } from '../config';
import { BadInputError } from '../errors';

export function findSource(config: Pick<Config, 'sources'>, name: string): SourceConfig {
  const source = config.sources.find((s) => s.name === name);
  if (!source) {
    const known = config.sources.map((s) => s.name).join(', ');
    throw new BadInputError('SOURCE_UNKNOWN', `unknown source "${name}" (configured: ${known || 'none'})`);
  }
  return source;
}
