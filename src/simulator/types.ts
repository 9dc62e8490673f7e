/**
 * Shapes of the Updox simulator: its options, faults, and the records it keeps in memory.
 * The simulator shares no code with src/updox (it stands in for the vendor). Pure types only.
 */

export type VerificationStatus = 'NOT_STARTED' | 'PENDING' | 'VERIFIED' | 'REJECTED' | 'UPDATE_REQUIRED';
export const VERIFICATION_STATUSES: readonly VerificationStatus[] = ['NOT_STARTED', 'PENDING', 'VERIFIED', 'REJECTED', 'UPDATE_REQUIRED'];

export type ApiVersion = 'legacy' | '1.1';

export interface PartnerBusinessDetails {
  website: string;
  contactFirstName: string;
  contactLastName: string;
  contactEmail: string;
  contactPhone: string;
}

export interface WebhookTarget {
  url: string;
  secret: string;
  /** `hmac`: x-updox-timestamp + x-updox-signature v1=hex(HMAC-SHA256); `bearer`: Authorization: Bearer <secret>. */
  mode: 'hmac' | 'bearer';
  /** Test option (A20): also deliver every event a second time (0..1 = share of events duplicated). Default 0. */
  duplicateRate?: number;
  /** Test option (A20): deliver late, this many real milliseconds after the status change. Default 0. */
  delayMs?: number;
}

export interface RateLimitOptions {
  /** Tokens added per second per applicationId; 0 turns the limit off. */
  requestsPerSecond: number;
  /** Bucket capacity. Default: requestsPerSecond (one second's worth). */
  burst?: number;
}

export type FaultKind =
  | { kind: 'envelope'; code: number; message?: string }
  | { kind: 'http'; status: number; retryAfterSec?: number }
  | { kind: 'hang'; ms?: number }
  | { kind: 'reset' }
  | { kind: 'lost' }
  | { kind: 'latency'; ms: number; jitterMs?: number };

export type Fault = FaultKind & {
  /** '*' or a method name (case-insensitive). Default '*'. */
  method?: string;
  /** Probability 0..1 per matching request. Default 1 when `count` is not given. */
  rate?: number;
  /** Fire on the next N matching requests instead of at a rate. */
  count?: number;
};

export interface SimulatorOptions {
  applicationId: string;
  applicationPassword: string;
  /** 0 (default) = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Turns on the HMAC layer (updox-api.md §1.3). */
  hmacSecret?: string;
  /** HMAC timestamp window (either side of the wall clock). Default 10 minutes (§1.3). */
  hmacWindowMs?: number;
  /** false → every SMS method answers 4015 (A12). Default true. */
  smsEnabled?: boolean;
  /** Business days (Mon–Fri, on the simulator clock) until a PENDING number completes. Default 2. */
  verificationBusinessDays?: number;
  /** Share of completed verifications that end REJECTED (0..1). Default 0. */
  rejectionRate?: number;
  /** Rejection share when the practice has no website of its own (partner website fallback). Default rejectionRate. */
  fallbackRejectionRate?: number;
  /** Accounts with complete details get a PENDING number when saved or seeded, without a first send. Default false. */
  autoRequestVerification?: boolean;
  /** PRNG seed: makes fault rates and rejections deterministic. */
  seed?: number | string;
  webhook?: WebhookTarget;
  rateLimit?: RateLimitOptions;
  faults?: Fault[];
  /** Bodies above this answer envelope 4020 (A14). Default 10 MiB. */
  maxBodyBytes?: number;
  /** 'complete' (default), 'incomplete', or the partner's details (an empty field → 4039 on SmsSend). */
  partnerBusinessDetails?: 'complete' | 'incomplete' | Partial<PartnerBusinessDetails>;
  /** Domain used for generated patient Direct addresses (A19). Default 'direct.updoxsim.example'. */
  directDomain?: string;
  /** Shape of PracticeGet / PracticeList replies. Default 'full'. */
  readShape?: ReadShape;
}

/** A practice as the simulator stores it (wire field names; empty optional values are ''). */
export interface SimPractice {
  accountId: string;
  name: string;
  address1: string;
  address2: string;
  city: string;
  state: string;
  postal: string;
  phone: string;
  fax: string;
  websiteAddress: string;
  timeZone: string;
  directDomain: string;
  directAddress: string | null;
  metadata: string;
  vetted: boolean;
  active: boolean;
  websiteUrl: string;
  alternativeWebsiteUrl: string;
  country: string;
  /** Which API last saved it: un-versioned ('legacy') or /1.1. Simulator-only, never on the wire. */
  apiVersion: ApiVersion;
  /** Whether the last save (or seed) carried `country`; the recorded read shape shows it only then. */
  countrySent: boolean;
  /**
   * Every other field the last save (or seed) carried, verbatim under its wire name (the real
   * client also sends practiceNpi, practiceSpecialtyCode, protocol, ipAddress, port, path…;
   * updox-api.md §3.1). A save replaces the whole record, so a field it does not carry is cleared.
   */
  extra: Record<string, unknown>;
}

/**
 * How PracticeGet and PracticeList answer. `full`: every field, the 1.1 ones included.
 * `recorded`: the shape of the real client's recorded replies ([S23] test/samples): the 1.1
 * fields (websiteUrl, alternativeWebsiteUrl, country) only when they hold a value that was sent,
 * `vetted`, `metadata: ""`, `directAddress: null` when empty. `pre-1.1`: those replies exactly
 * (they predate 1.1): never a 1.1 field, whatever was saved.
 */
export type ReadShape = 'full' | 'recorded' | 'pre-1.1';
export const READ_SHAPES: readonly ReadShape[] = ['full', 'recorded', 'pre-1.1'];

export interface SimNumber {
  accountId: string;
  number: string;
  type: string;
  verificationStatus: VerificationStatus;
  ownerType: string;
  ownerId: string;
  /** Simulator-clock ms of the last status change. */
  updatedAtMs: number;
  /** Simulator-clock ms when a PENDING verification completes; null otherwise. */
  dueAtMs: number | null;
}

export interface SimUser {
  accountId: string;
  userId: string;
  active: boolean;
}
