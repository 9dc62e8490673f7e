/** Time units, defined once (STYLE.md §4). Pure. */
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A clock that tests can replace. Pure code takes `now: Date` as an argument instead. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
