/**
 * The normalized SMS-number verification status (updox-api.md A11). The vendor has published no
 * status names; the simulator's lifecycle is NOT_STARTED → PENDING → VERIFIED | REJECTED, with
 * UPDATE_REQUIRED as a side state. Anything else is kept raw and normalized to `unknown`, so a new
 * vendor value never breaks a pull. Pure.
 */
export const NUMBER_STATUSES = ['not_started', 'pending', 'verified', 'rejected', 'update_required', 'unknown'] as const;
export type NumberStatus = (typeof NUMBER_STATUSES)[number];

const VENDOR_STATUS: Record<string, NumberStatus> = {
  NOT_STARTED: 'not_started',
  PENDING: 'pending',
  VERIFIED: 'verified',
  REJECTED: 'rejected',
  UPDATE_REQUIRED: 'update_required',
};

/** Vendor status → normalized status. Case, spaces and dashes are folded ("Update required" → update_required). */
export function normalizeNumberStatus(raw: string | null | undefined): NumberStatus {
  const key = (raw ?? '').trim().toUpperCase().replace(/[\s-]+/g, '_');
  return VENDOR_STATUS[key] ?? 'unknown';
}

/** Only a verified number can send (A11). */
export const canSend = (status: NumberStatus): boolean => status === 'verified';
