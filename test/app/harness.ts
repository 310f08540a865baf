/** A test harness around the app core: a store, the default plan and Nam Định units, a fixed clock, captured replies. */
import { App } from "../../src/app/app.js";
import type { Deleters } from "../../src/app/delete-message.js";
import type { ChannelName, InboundMessage, OutboundMessage } from "../../src/channels/types.js";
import { DEFAULT_UNITS_PATH } from "../../src/domain/units/import.js";
import { createLogger } from "../../src/log.js";
import { DEFAULT_PLAN_PATH, loadPlanFile } from "../../src/plan/load.js";
import type { Plan } from "../../src/plan/schema.js";
import type { Store } from "../../src/store/database.js";
import { grantRole, upsertPerson, type RoleName } from "../../src/store/people.js";
import { seedUnitsIfEmpty } from "../../src/store/units.js";

export const plan = loadPlanFile(DEFAULT_PLAN_PATH);

export interface Harness {
  app: App;
  sent: OutboundMessage[];
  clock: { now: Date };
  /** Send a message as a person in a chat; returns the replies it caused. */
  say(who: Who, text: string, extra?: Partial<InboundMessage>): Promise<OutboundMessage[]>;
  /** A new App over the same store (a restart). */
  restart(): Promise<void>;
  grant(who: Who, unitCode: string, role: RoleName): Promise<void>;
}

export interface Who {
  id: string;
  name: string;
  chatId: string;
  chatType?: "private" | "group";
  channel?: ChannelName;
}

export interface HarnessOptions {
  /** Channels that can delete a message (default none: deleting is "not possible"). */
  deleters?: Deleters;
  /** The plans the app runs (default: the seed plan), e.g. the shipped folder. */
  plans?: readonly Plan[];
}

/** The harness's app: the seed plan by default, or the plans given. */
export async function makeHarness(store: Store, now: Date, opts: HarnessOptions = {}): Promise<Harness> {
  await seedUnitsIfEmpty(store, DEFAULT_UNITS_PATH);
  const sent: OutboundMessage[] = [];
  const clock = { now };
  const log = createLogger("silent");
  let counter = 0;
  const build = async () => {
    const app = new App({
      store,
      ...(opts.plans ? { plans: opts.plans } : { plan }),
      log,
      onCommitted: (replies) => void sent.push(...replies),
      now: () => clock.now,
      ...(opts.deleters ? { deleters: opts.deleters } : {}),
    });
    await app.init();
    return app;
  };
  const h: Harness = {
    app: await build(),
    sent,
    clock,
    async say(who, text, extra = {}) {
      const before = sent.length;
      await h.app.handleInbound({
        channel: who.channel ?? "local",
        chatId: who.chatId,
        chatType: who.chatType ?? "group",
        sender: { id: who.id, name: who.name },
        text,
        messageId: `m${++counter}`,
        receivedAt: clock.now,
        ...extra,
      });
      return sent.slice(before);
    },
    async restart() {
      h.app = await build();
    },
    async grant(who, unitCode, role) {
      const person = await upsertPerson(store, who.channel ?? "local", who.id, who.name);
      const unit = h.app.services.tree().byCode(unitCode);
      if (!unit) throw new Error(`no unit ${unitCode}`);
      await grantRole(store, person.id, unit.id, role);
    },
  };
  return h;
}

/** All reply texts joined, for matching. */
export const texts = (msgs: OutboundMessage[]): string => msgs.map((m) => m.text).join("\n---\n");
