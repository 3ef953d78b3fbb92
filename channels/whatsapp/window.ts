/**
 * WhatsApp's customer-service window: a business may send free-form messages only within 24 hours of the
 * person's last message; outside it only approved templates. Pure rules, so a property test can drive them.
 */

export const WINDOW_MS = 24 * 60 * 60 * 1000;
/**
 * Our clock starts when the inbound message committed, a little after the person sent it (later still when
 * Meta redelivered): closing the window early keeps a delayed webhook from making us overstep.
 */
export const SAFETY_MARGIN_MS = 10 * 60 * 1000;

/** Whether a free-form message may be sent at `now`, given when the reporter last wrote (undefined: never). */
export function windowOpen(lastInboundAt: Date | undefined, now: Date): boolean {
  if (!lastInboundAt) return false;
  const age = now.getTime() - lastInboundAt.getTime();
  return age < WINDOW_MS - SAFETY_MARGIN_MS;
}
