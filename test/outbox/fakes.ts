/** Fake channel senders for outbox tests: record what was delivered, on the virtual clock. */
import type { ChannelName, ChannelSender, OutboundMessage, SendResult } from "../../src/channels/types.js";
import type { Clock } from "../../src/outbox/clock.js";

export interface Delivery {
  chatId: string;
  text: string;
  at: number;
  messageId: string;
}

/** Decides per call: return an Error to throw it, "hang" to never answer, nothing to deliver. */
export type Behaviour = (msg: OutboundMessage, call: number) => Error | "hang" | "deliver-then-hang" | void;

export class FakeSender implements ChannelSender {
  calls = 0;
  private static seq = 0;

  constructor(
    readonly channel: ChannelName,
    private readonly clock: Clock,
    public behaviour?: Behaviour,
    /** Pass one array to several senders to see their deliveries in one sequence. */
    readonly delivered: Delivery[] = [],
  ) {}

  async send(msg: OutboundMessage): Promise<SendResult> {
    const call = ++this.calls;
    const b = this.behaviour?.(msg, call);
    if (b instanceof Error) throw b;
    if (b === "hang") return new Promise<SendResult>(() => undefined);
    const messageId = String(++FakeSender.seq);
    this.delivered.push({ chatId: msg.chatId, text: msg.text, at: this.clock.now(), messageId });
    if (b === "deliver-then-hang") return new Promise<SendResult>(() => undefined);
    return { messageId };
  }

  byChat(): Map<string, Delivery[]> {
    const out = new Map<string, Delivery[]>();
    for (const d of this.delivered) {
      let list = out.get(d.chatId);
      if (!list) out.set(d.chatId, (list = []));
      list.push(d);
    }
    return out;
  }
}

/** A small deterministic PRNG (mulberry32), the one the unit-tree generator uses. */
export { prng } from "../../src/domain/units/generate.js";

/** The most events in any window [t, t + windowMs). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const ts = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < ts.length; i++) {
    while (ts[i]! - ts[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** Smallest gap between consecutive times. */
export function minGap(times: readonly number[]): number {
  const ts = [...times].sort((a, b) => a - b);
  let best = Infinity;
  for (let i = 1; i < ts.length; i++) best = Math.min(best, ts[i]! - ts[i - 1]!);
  return best;
}
