/**
 * Which practice fields a mapping manages. Pure. A mapped field is managed; an unmapped one means
 * "keep" downstream. country is managed whenever state is (we fill 'US'); timeZone when mapped or
 * derived from the state; postalExt feeds postal.
 */
import type { RosterField } from '../config';
import { PRACTICE_FIELDS, type PracticeField } from '../practice';

export function managedFieldsOf(mapped: readonly RosterField[], timeZoneFromState: boolean): PracticeField[] {
  const set = new Set<string>(mapped);
  if (set.has('postalExt')) set.add('postal');
  if (set.has('state')) set.add('country');
  if (timeZoneFromState && set.has('state')) set.add('timeZone');
  return PRACTICE_FIELDS.filter((f) => set.has(f));
}
