/** The outcome of normalizing one cell. Pure. */
export interface CellIssue {
  rule: string;
  message: string;
}

export interface CellResult<T = string> {
  /** The normalized value; null when empty or when the cell is rejected. */
  value: T | null;
  /** Set when the cell is rejected (the row is quarantined). */
  issue?: CellIssue;
  /** Accepted, but worth telling (the row is staged with these). */
  warnings?: CellIssue[];
}

export const ok = <T>(value: T | null, warnings?: CellIssue[]): CellResult<T> =>
  warnings && warnings.length ? { value, warnings } : { value };
export const reject = <T = string>(rule: string, message: string): CellResult<T> => ({ value: null, issue: { rule, message } });
