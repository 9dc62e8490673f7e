/**
 * The Updox response envelope (updox-api.md §2.1) and the default message of every code the
 * simulator answers. Pure.
 */

export interface Envelope {
  successful: boolean;
  responseMessage: string;
  responseCode: number;
  [payload: string]: unknown;
}

export const MESSAGES: Record<number, string> = {
  2000: 'OK',
  4000: 'Bad Request',
  4010: 'Unauthorized',
  4011: 'Unauthorized: practice does not exist or is inactive',
  4012: 'Unauthorized: user does not exist or is inactive',
  4013: 'No token found',
  4014: 'Unauthorized',
  4015: 'Unauthorized - API not enabled for the request\'s access rights',
  4020: 'Bad Request: Request likely too large',
  4035: 'SMS number not verified; verification has been requested',
  4039: 'On file account business information is insufficient for verification',
  4060: 'Field validation error',
  4110: 'No practice ID',
  4130: 'Account already exists',
  4131: 'Account does not exist',
  4140: 'Web address already taken',
  4150: 'Direct domain already taken',
  4160: 'direct domain is invalid',
  4161: 'web address is invalid',
  4162: 'ip is invalid',
  4163: 'direct domain is unavailable',
  4165: 'port is invalid',
  4610: 'Direct address already taken',
  4620: 'Direct address domain does not match the account\'s direct domain',
  4630: 'Account has no direct domain configured',
  4640: 'Invalid direct address',
  4652: 'Either from or patientDemographics is required',
  5000: 'An unknown error has occurred',
  5100: 'An unknown server error has occurred',
  5110: 'An unknown server error has occurred',
};

export const ok = (payload: Record<string, unknown> = {}): Envelope =>
  ({ successful: true, responseMessage: 'OK', responseCode: 2000, ...payload });

export const fail = (code: number, message?: string): Envelope =>
  ({ successful: false, responseMessage: message ?? MESSAGES[code] ?? `Error ${code}`, responseCode: code });

/** A handler's answer: the envelope, plus an optional pre-serialized body (PracticeList at scale). */
export interface Reply {
  envelope: Envelope;
  /** When set, sent as the body instead of JSON.stringify(envelope). */
  raw?: string;
  /** When set, the body is sent in these pieces (chunked, as the client reads them). */
  chunks?: Iterable<string>;
  /** HTTP status; 200 unless a transport-level error (A2). */
  status?: number;
  /** The account a successful write touched (counted in writesByAccount). */
  wroteAccount?: string;
}
