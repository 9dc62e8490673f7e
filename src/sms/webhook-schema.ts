/** The verification webhook's payload (the simulator's shape, updox-api.md A20). Pure. */
import { z } from 'zod';

export const webhookPayloadSchema = z.object({
  id: z.string().trim().min(1).max(200),
  event: z.literal('sms_verification_status'),
  occurredAt: z.iso.datetime({ offset: true }),
  accountId: z.string().trim().min(1).max(255),
  numbers: z.array(z.object({
    number: z.string().regex(/^\d{10}$/, 'must be 10 digits'),
    verificationStatus: z.string().trim().min(1).max(64),
    type: z.string().max(32).optional(),
    ownerType: z.string().max(32).optional(),
    ownerId: z.string().max(255).optional(),
  })).min(1).max(1000),
});
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;
