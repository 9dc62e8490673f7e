/**
 * Zod schemas for what goes over the wire (updox-api.md). Requests are checked structurally before
 * sending (types only: the vendor owns the field rules and answers 4060/4110 itself). Replies are
 * loose objects: unknown fields are tolerated and kept. Pure.
 */
import { z } from 'zod';

/** The `auth` block (§1.2). Empty strings keep their place, as the vendor's samples do. */
export const authSchema = z.object({
  applicationId: z.string(),
  applicationPassword: z.string(),
  accountId: z.string(),
  userId: z.string(),
});
export type WireAuth = z.infer<typeof authSchema>;

const str = z.string().optional();

/** A practice to write (PracticeCreate/Update/Save, un-versioned and 1.1). */
export const practiceRequestSchema = z.looseObject({
  accountId: z.string(),
  name: str, address1: str, address2: str, city: str, state: str, postal: str, phone: str, fax: str,
  websiteAddress: str, timeZone: str, directDomain: str, directAddress: z.string().nullable().optional(),
  // Unmodelled fields (metadata, practiceNpi, …) pass through as read: any JSON value.
  // `active` as a boolean or "true"/"false"; the client sends it in the configured form.
  active: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  websiteUrl: str, alternativeWebsiteUrl: str, country: str,
});

export const smsSendRequestSchema = z.object({
  to: z.string(),
  message: z.string(),
  patientId: z.string().optional(),
});

export const directMessageRequestSchema = z.looseObject({
  to: z.string(),
  from: z.string().optional(),
  subject: z.string().optional(),
  textMessage: z.string().optional(),
  attachments: z.array(z.looseObject({ content: z.string(), mimeType: z.string(), fileName: z.string() })).optional(),
  patientDemographics: z.looseObject({}).optional(),
});
export type DirectMessageRequest = z.input<typeof directMessageRequestSchema>;

/** The envelope every reply carries (§2.1). */
export const envelopeSchema = z.looseObject({
  successful: z.boolean().optional(),
  responseCode: z.number().int(),
  responseMessage: z.string().nullable().optional(),
});

// The real client turns accountId into a string ([S23] practice.rb `with: ->(v) { v.to_s }`).
const practiceReply = z.looseObject({ accountId: z.union([z.string(), z.number().int()]).transform(String) });

/**
 * Payload schemas checked only on a 2xxx reply. A mismatch there is the named outcome
 * UPDOX_BAD_REPLY (see client.ts). Writes keep their payload optional: the envelope is the verdict.
 * Lists check only that the list is an array: each entry is read on its own (list-entries.ts), so
 * one malformed entry is skipped and counted instead of spoiling the whole reply.
 */
export const replySchemas = {
  PracticeCreate: z.looseObject({ accountId: z.string().optional(), action: z.string().optional() }),
  PracticeUpdate: z.looseObject({ accountId: z.string().optional(), action: z.string().optional() }),
  PracticeSave: z.looseObject({ accountId: z.string().optional(), action: z.string().optional() }),
  PracticeGet: z.looseObject({ practice: practiceReply }),
  PracticeList: z.looseObject({ practiceList: z.array(z.unknown()) }),
  SmsSendNumberList: z.looseObject({ numbers: z.array(z.unknown()) }),
  SmsSend: z.looseObject({ messageId: z.union([z.number(), z.string()]).optional(), status: z.string().optional() }),
  PatientDirectMessageSend: z.looseObject({ messageId: z.union([z.number(), z.string()]).optional() }),
  Ping: z.looseObject({}),
  PingWithApplicationAuth: z.looseObject({}),
  PingWithAccountAuth: z.looseObject({}),
  PingWithAuth: z.looseObject({}),
} as const;

export type UpdoxMethod = keyof typeof replySchemas;

/** First few zod issues as "path: message", for a BAD_REPLY message (no values: they could be large). */
export function describeIssues(error: z.ZodError, max = 3): string {
  return error.issues.slice(0, max).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
