/**
 * Guardrails: a plan that would deactivate or change more than a configured share of the source's
 * known practices (a truncated file, a wrong mapping) is held until someone approves it. Pure.
 */

export interface GuardrailLimits {
  /** Deactivations / known practices above this → held (default 0.05). */
  maxDeactivateShare: number;
  /** (updates + deactivations + reactivations) / known practices above this → held (default 0.25). */
  maxChangeShare: number;
  /** Below this many known practices the guardrail does not apply (tiny partners, first run). */
  minKnownPractices: number;
}

export interface GuardrailCounts {
  update: number;
  deactivate: number;
  reactivate: number;
  /** Practices of the source we know: saved by us (`practices`) or matched in Updox's list. */
  known: number;
}

export interface HoldDecision {
  hold: boolean;
  /** Why the run is held (every limit exceeded, with numbers), or why the guardrail did not apply. */
  reason: string | null;
  deactivateShare: number;
  changeShare: number;
  checked: boolean;
}

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toString()}%`;

export function shouldHold(c: GuardrailCounts, limits: GuardrailLimits): HoldDecision {
  const changes = c.update + c.deactivate + c.reactivate;
  const deactivateShare = c.known > 0 ? c.deactivate / c.known : 0;
  const changeShare = c.known > 0 ? changes / c.known : 0;
  if (c.known < limits.minKnownPractices) {
    return {
      hold: false, checked: false, deactivateShare, changeShare,
      reason: `guardrail not applied: ${c.known} known practices, fewer than minKnownPractices ${limits.minKnownPractices}`,
    };
  }
  const reasons: string[] = [];
  if (deactivateShare > limits.maxDeactivateShare) {
    reasons.push(`would deactivate ${c.deactivate} of ${c.known} known practices (${pct(deactivateShare)}), more than maxDeactivateShare ${pct(limits.maxDeactivateShare)}`);
  }
  if (changeShare > limits.maxChangeShare) {
    reasons.push(`would change ${changes} of ${c.known} known practices (${pct(changeShare)}: ${c.update} updates, ${c.deactivate} deactivations, ${c.reactivate} reactivations), more than maxChangeShare ${pct(limits.maxChangeShare)}`);
  }
  return { hold: reasons.length > 0, checked: true, deactivateShare, changeShare, reason: reasons.length ? reasons.join('; ') : null };
}
