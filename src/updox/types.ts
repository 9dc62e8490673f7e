/**
 * The contract between the Updox client (src/updox/client.ts) and the features that use it
 * (plan/apply, numbers, legacy upgrade). Wire shapes are named `Updox*`; see updox-api.md.
 * Pure types only.
 */

/** A practice as the wire carries it (PracticeGet / PracticeList / PracticeSave body). */
export interface UpdoxPractice {
  accountId: string;
  name?: string;
  address1?: string;
  address2?: string;
  city?: string;
  state?: string;
  postal?: string;
  phone?: string;
  fax?: string;
  websiteAddress?: string;
  timeZone?: string;
  directDomain?: string;
  directAddress?: string | null;
  metadata?: string;
  vetted?: boolean;
  /** Requests send "true"/"false"; replies carry a boolean (updox-api.md §3.1). */
  active?: boolean | 'true' | 'false';
  /** 1.1 only (assumption A8). */
  websiteUrl?: string;
  alternativeWebsiteUrl?: string;
  country?: string;
  /** Unknown reply fields are tolerated and kept. */
  [extra: string]: unknown;
}

/** One SMS number from SmsSendNumberList (shape: assumption A10). */
export interface UpdoxSmsNumber {
  number: string;
  type?: string; // TOLL_FREE | 10DLC
  verificationStatus: string; // NOT_STARTED | PENDING | VERIFIED | REJECTED | UPDATE_REQUIRED (A11)
  businessDetails?: string; // COMPLETE | INCOMPLETE
  updatedAt?: string; // yyyy-MM-dd HH:mm:ss
  ownerType?: string; // account | location | queue
  ownerId?: string;
  [extra: string]: unknown;
}

/**
 * How a reply (or a transport failure) is classified. One pure function decides:
 * src/updox/classify-reply.ts.
 */
export type OutcomeKind =
  | 'ok'
  | 'retryable' // 5xxx, HTTP 429/5xx, timeouts, resets
  | 'permanent' // vendor refused the data (4060, 4140, 46xx, 4130, 4131 …)
  | 'halt' // credentials or activation: 401x, 4015 → stop the run, alert, do not hammer
  | 'pending_verification' // 4035
  | 'insufficient_details'; // 4039

export interface CallResult<T = Record<string, unknown>> {
  outcome: OutcomeKind;
  /** Updox responseCode, or null when no envelope came back (transport failure). */
  code: number | null;
  /** Vendor responseMessage, or a description of the transport failure. Never contains credentials. */
  message: string;
  httpStatus: number | null;
  /** Parsed reply body (envelope + payload, unknown fields kept), or null. */
  body: (T & Record<string, unknown>) | null;
  /** How many HTTP attempts were made (1 = no retry). */
  attempts: number;
  /**
   * True when the request may have been applied although no reply was read (timeout after the body
   * was sent, connection reset, "applied but the response was lost"). Callers that must not repeat
   * an effect blindly reconcile first (e.g. PracticeGet before re-saving).
   */
  ambiguous: boolean;
  /** Retry-After (ms) the server asked for, when it did. */
  retryAfterMs?: number;
  /**
   * Stable string reason when the HTTP layer or the transport decided (code null, or a non-2xx
   * status): UPDOX_TIMEOUT, UPDOX_CONNECT_TIMEOUT, UPDOX_CONNECTION_REFUSED, UPDOX_CONNECTION_RESET,
   * UPDOX_TRANSPORT_ERROR, UPDOX_ABORTED, UPDOX_HTTP_STATUS, UPDOX_BAD_REPLY, UPDOX_LIMITER_ERROR
   * (docs/client.md). Added member.
   */
  reason?: string;
}

export interface CallOptions {
  /** Override the configured retry count for this call (0 = single attempt). */
  maxRetries?: number;
  signal?: AbortSignal;
}

/**
 * Receives a streamed PracticeList. `begin` is called before every attempt (a retry starts over:
 * drop what an earlier attempt delivered); `onEntries` gets the entries as they are parsed, and the
 * next part of the reply is read only once it resolves.
 */
export interface ListSink {
  begin(attempt: number): Promise<void>;
  onEntries(entries: unknown[]): Promise<void>;
}

export interface UpdoxClient {
  practiceSave(practice: UpdoxPractice, opts?: CallOptions & { version?: '1.1' | null }): Promise<CallResult<{ accountId: string; action: string }>>;
  practiceGet(accountId: string, opts?: CallOptions): Promise<CallResult<{ practice: UpdoxPractice }>>;
  /** Entries are unchecked: read each with readPracticeEntry (list-entries.ts). */
  practiceList(opts?: CallOptions): Promise<CallResult<{ practiceList: unknown[] }>>;
  /** Entries are unchecked: read each with readNumberEntry (list-entries.ts). */
  smsSendNumberList(accountId: string, opts?: CallOptions): Promise<CallResult<{ numbers: unknown[] }>>;
  /** Never retried: an SMS send is not safe to repeat. */
  smsSend(accountId: string, userId: string, body: { to: string; message: string; patientId?: string }, opts?: { signal?: AbortSignal }): Promise<CallResult<{ messageId: number; status: string }>>;
  ping(level?: 'none' | 'application' | 'account', accountId?: string): Promise<CallResult>;
  close(): Promise<void>;

  // Added members (optional so that scripted test clients need not implement them).
  /** PracticeCreate: fails with 4130 on an existing id; an ambiguous failure is never retried. */
  practiceCreate?(practice: UpdoxPractice, opts?: CallOptions & { version?: '1.1' | null }): Promise<CallResult<{ accountId: string; action: string }>>;
  /** PracticeUpdate: whole-record replace (omitted fields are cleared); 4131 on an unknown id. */
  practiceUpdate?(practice: UpdoxPractice, opts?: CallOptions & { version?: '1.1' | null }): Promise<CallResult<{ accountId: string; action: string }>>;
  /** PingWithAuth: checks user-level credentials. */
  pingWithAuth?(accountId: string, userId: string, opts?: CallOptions): Promise<CallResult>;
  /**
   * PracticeList, streamed: entries go to `sink` as the reply is parsed, never held whole. A reply
   * over UPDOX_MAX_LIST_BYTES fails permanently (reason UPDOX_REPLY_TOO_LARGE). The result's body
   * is the envelope, with `practiceList` empty.
   */
  practiceListStream?(sink: ListSink, opts?: CallOptions): Promise<CallResult<{ practiceList: unknown[] }>>;
  /** Never retried: a message is not safe to repeat. */
  patientDirectMessageSend?(accountId: string, userId: string, body: { to: string; from?: string; subject?: string; textMessage?: string; [extra: string]: unknown }, opts?: { signal?: AbortSignal }): Promise<CallResult<{ messageId: number }>>;
}
