/**
 * Everything the simulator holds in memory, wired together from the options: stores, clock,
 * seeded random streams, faults, rate limit, counters and the webhook sender.
 */
import { BadInputError } from '../errors';
import { resolvePartner } from './business-details';
import { SimClock } from './clock';
import { Counters } from './counters';
import { FaultSet, faultProblems } from './faults';
import { NumberStore } from './numbers';
import { PracticeStore } from './practices';
import { mulberry32, seedNumber, type Random } from './prng';
import { RateLimiter } from './rate-limit';
import { SmsService, type SmsSettings } from './sms';
import { READ_SHAPES, type SimulatorOptions } from './types';
import { WebhookSender } from './webhook-sender';

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024; // A14
export const DEFAULT_HMAC_WINDOW_MS = 10 * 60 * 1000; // §1.3

/** Every problem with the options (empty = valid). */
export function optionProblems(o: SimulatorOptions): string[] {
  const out: string[] = [];
  if (!o.applicationId) out.push('applicationId: required');
  if (!o.applicationPassword) out.push('applicationPassword: required');
  const share = (k: 'rejectionRate' | 'fallbackRejectionRate') => {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) out.push(`${k}: must be between 0 and 1`);
  };
  share('rejectionRate');
  share('fallbackRejectionRate');
  if (o.verificationBusinessDays !== undefined && !(Number.isInteger(o.verificationBusinessDays) && o.verificationBusinessDays >= 0)) {
    out.push('verificationBusinessDays: must be a whole number ≥ 0');
  }
  if (o.maxBodyBytes !== undefined && !(Number.isInteger(o.maxBodyBytes) && o.maxBodyBytes > 0)) out.push('maxBodyBytes: must be a positive integer');
  if (o.rateLimit && !(o.rateLimit.requestsPerSecond >= 0)) out.push('rateLimit.requestsPerSecond: must be ≥ 0');
  if (o.webhook && (!o.webhook.url || !o.webhook.secret || !['hmac', 'bearer'].includes(o.webhook.mode))) {
    out.push('webhook: needs url, secret and mode "hmac" or "bearer"');
  }
  if (o.faults) out.push(...faultProblems(o.faults));
  if (o.readShape !== undefined && !READ_SHAPES.includes(o.readShape)) out.push(`readShape: must be one of ${READ_SHAPES.join(', ')}`);
  return out;
}

export class SimWorld {
  readonly clock = new SimClock();
  readonly practices: PracticeStore;
  readonly numbers = new NumberStore();
  /** accountId → userId → active. An account without users accepts any non-empty userId. */
  readonly users = new Map<string, Map<string, boolean>>();
  readonly counters = new Counters();
  readonly faults: FaultSet;
  readonly rateLimiter: RateLimiter;
  readonly webhooks: WebhookSender;
  readonly sms: SmsService;
  readonly settings: SmsSettings;
  readonly applicationId: string;
  readonly applicationPassword: string;
  readonly hmacSecret: string | null;
  readonly hmacWindowMs: number;
  readonly maxBodyBytes: number;
  readonly directDomain: string;
  readonly faultRandom: Random;
  directMessageSeq = 0;

  constructor(o: SimulatorOptions) {
    const problems = optionProblems(o);
    if (problems.length) throw new BadInputError('SIMULATOR_OPTIONS_INVALID', `invalid simulator options: ${problems.join('; ')}`);
    const seed = seedNumber(o.seed ?? Math.floor(Math.random() * 2 ** 32));
    // Separate streams: faults and rejections do not shift each other's sequence.
    this.faultRandom = mulberry32(seed);
    const rejectRandom = mulberry32(seed ^ 0x9e3779b9);
    const webhookRandom = mulberry32(seed ^ 0x85ebca6b);
    this.practices = new PracticeStore(o.readShape ?? 'full');
    this.applicationId = o.applicationId;
    this.applicationPassword = o.applicationPassword;
    this.hmacSecret = o.hmacSecret || null;
    this.hmacWindowMs = o.hmacWindowMs ?? DEFAULT_HMAC_WINDOW_MS;
    this.maxBodyBytes = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.directDomain = o.directDomain ?? 'direct.updoxsim.example';
    this.faults = new FaultSet(this.faultRandom, o.faults ?? []);
    this.rateLimiter = new RateLimiter(o.rateLimit);
    this.settings = {
      smsEnabled: o.smsEnabled ?? true,
      verificationBusinessDays: o.verificationBusinessDays ?? 2,
      rejectionRate: o.rejectionRate ?? 0,
      fallbackRejectionRate: o.fallbackRejectionRate ?? null,
      autoRequestVerification: o.autoRequestVerification ?? false,
      partner: resolvePartner(o.partnerBusinessDetails),
    };
    this.webhooks = new WebhookSender(o.webhook, this.clock, webhookRandom, (ok) => {
      if (ok) this.counters.webhooksSent++;
      else this.counters.webhooksFailed++;
    });
    this.sms = new SmsService({
      practices: this.practices, numbers: this.numbers, clock: this.clock, random: rejectRandom, settings: this.settings,
      notify: (accountId, changed) => this.webhooks.notify(accountId, changed),
    });
  }

  accountActive = (accountId: string): boolean => this.practices.isActive(accountId);

  userActive = (accountId: string, userId: string): boolean => {
    const users = this.users.get(accountId);
    return users ? users.get(userId) === true : userId.length > 0;
  };

  /** `POST /_sim/reset`: state, counters, faults and the clock; rate-limit settings stay, buckets refill. */
  reset(): void {
    this.practices.clear();
    this.numbers.clear();
    this.users.clear();
    this.counters.reset();
    this.faults.clear();
    this.rateLimiter.resetBuckets();
    this.clock.reset();
    this.webhooks.deliveries.length = 0;
  }
}
