/**
 * The scheduler driver: every minute (node-cron, Asia/Ho_Chi_Minh) and once at start, it lists
 * the occurrences due since its last run, claims each in the store (INSERT … ON CONFLICT DO
 * NOTHING on ScheduledOccurrence: only the instance whose insert succeeded handles it) and turns
 * it into outbox messages (enqueue with a dedupeKey per occurrence and chat, so even a handler
 * run twice queues each message once).
 *
 * - Reminders go only to units with a linked group (ChatLink) and, when the rule says
 *   onlyMissing, only to units with no Report for that (form, period); the unit's leaders
 *   (Role "leader") on that channel are mentioned.
 * - A late summary goes to the parent unit's groups and lists the children with no report.
 * - Content: the rotation's item (rotation.ts) for the unit, wrapped.
 * - Paused rules, schedules and items (PausedRule) are recorded as "paused" and not sent.
 *
 * After downtime (the first run looks back `catchUpLookbackMs`): what still makes sense is sent
 * once — a reminder whose deadline has not passed (only the latest one per deadline), content of
 * today not older than the staleness (only the latest per group), a late summary not older than
 * its staleness; the rest is recorded as "dropped" with a log line and never reconsidered.
 * Occurrences older than the look-back are not looked at (they would all be stale). Nothing is
 * handled during quiet hours: a start at night catches up at the end of the quiet hours.
 *
 * A claim whose instance died before finishing it is handled again after `claimLeaseMs` (the
 * outbox dedupeKey keeps that from sending anything twice).
 */
import { currentLanguage } from "../i18n.js";
import { randomUUID } from "node:crypto";
import cron, { type ScheduledTask } from "node-cron";
import type { ChannelName } from "../channels/types.js";
import { TIME_ZONE } from "../domain/periods.js";
import { UnitTree } from "../domain/units/tree.js";
import type { Language } from "../i18n.js";
import { createLogger, type Logger } from "../log.js";
import { enqueue } from "../outbox/queue.js";
import type { Plan } from "../plan/schema.js";
import type { Store } from "../store/database.js";
import { loadUnitTree } from "../store/units.js";
import { renderContent, renderLateSummary, renderReminder } from "./messages.js";
import { type ItemFailure, listOccurrences, type Occurrence, type StalenessOptions, staleReason, supersede } from "./occurrences.js";
import { chooseContentItem } from "./rotation.js";
import {
  claimOccurrences,
  type ClaimRow,
  contentHistory,
  existingKeys,
  finishOccurrence,
  type OccurrenceOutcome,
  pausedKeys,
  reclaimStuck,
  setItemKey,
} from "./store.js";
import { DAY_MS, DEFAULT_QUIET_HOURS, durationMs, isQuiet, MINUTE_MS, type QuietHours } from "./time.js";

export type TreeSource = UnitTree | (() => UnitTree | Promise<UnitTree>);

export interface SchedulerOptions {
  store: Store;
  /** The plans (each scheduled within its own dates). At least one of `plans` and `plan`. */
  plans?: readonly Plan[];
  /** A single plan: the same as `plans: [plan]`. */
  plan?: Plan;
  /**
   * Told once per tick about each plan item that could not be expanded (it was skipped, the rest
   * went on); main.ts sends the admins a de-duplicated notice (see planNotices.ts).
   */
  onItemFailure?: (failure: ItemFailure) => Promise<void> | void;
  /** The unit tree, or a function giving the current one (default: read from the store each run). */
  tree?: TreeSource;
  clock?: { now(): number };
  log?: Logger;
  instanceId?: string;
  quietHours?: QuietHours;
  staleness?: StalenessOptions;
  lateSummaryDelayMs?: number;
  /** How far back the first run looks (default: the longest reminder `before` + 1 day, at least 2 days). */
  catchUpLookbackMs?: number;
  /** Each run also looks this far before the previous one (default 10 min). */
  tickOverlapMs?: number;
  /** A claim left unfinished this long is handled again (default 10 min). */
  claimLeaseMs?: number;
  lng?: Language;
  /** The driver's cron (default every minute). */
  cron?: string;
}

export interface TickReport {
  at: Date;
  /** "quiet": nothing done, it is quiet hours. */
  deferred?: "quiet";
  considered: number;
  claimed: number;
  sent: number;
  skipped: number;
  dropped: number;
  paused: number;
  recovered: number;
  /** Plan items skipped because they could not be expanded (a bad cron, an impossible date). */
  failed?: number;
}

interface Link {
  channel: ChannelName;
  chatId: string;
}

interface Ctx {
  now: Date;
  tree: UnitTree;
  links: Map<number, Link[]>;
  paused: Set<string>;
}

type Result = { outcome: OccurrenceOutcome; detail?: string; itemKey?: string };

/** The latest tree (units ended by a reorganisation get no reminders nor summaries). */
function readUnitTree(store: Store): Promise<UnitTree> {
  return loadUnitTree(store);
}

export class Scheduler {
  readonly instanceId: string;
  private readonly store: Store;
  private readonly plans: readonly Plan[];
  private readonly onItemFailure: ((failure: ItemFailure) => Promise<void> | void) | undefined;
  private readonly treeSource: TreeSource | undefined;
  private readonly clock: { now(): number };
  private readonly log: Logger;
  private readonly qh: QuietHours;
  private readonly staleness: StalenessOptions;
  private readonly lateDelay: number;
  private readonly lookback: number;
  private readonly overlap: number;
  private readonly claimLease: number;
  private readonly lng: Language;
  private readonly cronExpr: string;
  private lastTickAt: number | null = null;
  private readonly failuresSeen = new Set<string>();
  private task: ScheduledTask | null = null;
  private current: Promise<TickReport | null> | null = null;

  constructor(opts: SchedulerOptions) {
    this.store = opts.store;
    this.plans = opts.plans ?? (opts.plan ? [opts.plan] : []);
    this.onItemFailure = opts.onItemFailure;
    this.treeSource = opts.tree;
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.instanceId = opts.instanceId ?? `sched-${randomUUID().slice(0, 8)}`;
    this.log = (opts.log ?? createLogger("silent")).child({ component: "scheduler", instance: this.instanceId });
    this.qh = opts.quietHours ?? DEFAULT_QUIET_HOURS;
    this.staleness = opts.staleness ?? {};
    this.lateDelay = opts.lateSummaryDelayMs ?? 0;
    const maxBefore = Math.max(0, ...this.plans.flatMap((p) => p.reminders.flatMap((r) => r.before.map(durationMs))));
    this.lookback = opts.catchUpLookbackMs ?? Math.max(2 * DAY_MS, maxBefore + DAY_MS);
    this.overlap = opts.tickOverlapMs ?? 10 * MINUTE_MS;
    this.claimLease = opts.claimLeaseMs ?? 10 * MINUTE_MS;
    this.lng = opts.lng ?? currentLanguage();
    this.cronExpr = opts.cron ?? "* * * * *";
  }

  /** Run once now (catch-up), then every minute until stop(). */
  async start(): Promise<void> {
    await this.runTick();
    this.task = cron.schedule(this.cronExpr, () => void this.runTick(), {
      timezone: TIME_ZONE,
      name: this.instanceId,
      noOverlap: true,
    });
  }

  async stop(): Promise<void> {
    const task = this.task;
    this.task = null;
    if (task) {
      await task.stop();
      await task.destroy();
    }
    await this.current;
  }

  /** One run, never two at once; errors are logged, not thrown. */
  runTick(): Promise<TickReport | null> {
    if (this.current) return this.current;
    this.current = this.tick()
      .catch((err) => {
        this.log.error({ err }, "scheduler run failed");
        return null;
      })
      .finally(() => {
        this.current = null;
      });
    return this.current;
  }

  private async loadTree(): Promise<UnitTree> {
    const src = this.treeSource;
    if (!src) return readUnitTree(this.store);
    return src instanceof UnitTree ? src : await src();
  }

  /** Handle everything due since the last run (the first run: since the look-back). */
  async tick(): Promise<TickReport> {
    const nowMs = this.clock.now();
    const now = new Date(nowMs);
    const report: TickReport = { at: now, considered: 0, claimed: 0, sent: 0, skipped: 0, dropped: 0, paused: 0, recovered: 0 };
    if (isQuiet(now, this.qh)) {
      report.deferred = "quiet";
      return report;
    }
    const catchUp = this.lastTickAt === null;
    const from = new Date(catchUp ? nowMs - this.lookback : this.lastTickAt! - this.overlap);
    const to = new Date(nowMs + 1);

    const tree = await this.loadTree();
    const linkRows = await this.store.sql.query<{ unitId: number; channel: string; chatId: string }>(
      `SELECT "unitId", "channel", "chatId" FROM "ChatLink" ORDER BY "id"`,
    );
    const links = new Map<number, Link[]>();
    for (const l of linkRows) {
      let list = links.get(l.unitId);
      if (!list) links.set(l.unitId, (list = []));
      list.push({ channel: l.channel as ChannelName, chatId: l.chatId });
    }
    const ctx: Ctx = { now, tree, links, paused: await pausedKeys(this.store) };

    // Each plan within its own dates; an item that cannot be expanded is skipped, not the tick.
    const failures: ItemFailure[] = [];
    const occs = this.plans.flatMap((plan) =>
      listOccurrences(plan, tree, from, to, {
        quietHours: this.qh,
        lateSummaryDelayMs: this.lateDelay,
        units: new Set(links.keys()),
        onItemError: (f) => failures.push(f),
      }),
    );
    for (const f of failures) {
      report.failed = (report.failed ?? 0) + 1;
      // Once per item and problem in this process (every tick would repeat it).
      const seen = `${f.planId}|${f.itemKey}|${f.error.message}`;
      if (this.failuresSeen.has(seen)) continue;
      this.failuresSeen.add(seen);
      this.log.error({ plan: f.planId, item: f.itemKey, err: f.error.message }, "plan item skipped: the scheduler cannot expand it");
      try {
        await this.onItemFailure?.(f);
      } catch (err) {
        this.log.error({ err }, "could not report a skipped plan item");
      }
    }
    const known = await existingKeys(this.store, occs.map((o) => o.key));
    const fresh = occs.filter((o) => !known.has(o.key));
    report.considered = fresh.length;

    const rows: ClaimRow[] = [];
    const live: Occurrence[] = [];
    for (const o of fresh) {
      if (ctx.paused.has(o.ruleKey)) {
        rows.push({ occ: o, outcome: "paused", detail: "rule paused" });
        continue;
      }
      const stale = staleReason(o, now, this.staleness);
      if (stale) rows.push({ occ: o, outcome: "dropped", detail: stale });
      else live.push(o);
    }
    const { keep, superseded } = supersede(live);
    for (const o of superseded) rows.push({ occ: o, outcome: "dropped", detail: "superseded by a later one" });
    for (const o of keep) rows.push({ occ: o, outcome: "claimed" });

    const won = await claimOccurrences(this.store, rows, now, this.instanceId);
    for (const r of rows) {
      if (!won.has(r.occ.key)) continue;
      if (r.outcome === "dropped") {
        report.dropped++;
        this.log.info({ key: r.occ.key, reason: r.detail }, "occurrence dropped");
      } else if (r.outcome === "paused") report.paused++;
    }

    const mine = keep.filter((o) => won.has(o.key));
    report.claimed = mine.length;
    for (const o of mine) await this.handle(o, ctx, report);

    for (const o of await reclaimStuck(this.store, new Date(nowMs - this.claimLease), now, this.instanceId)) {
      report.recovered++;
      this.log.warn({ key: o.key }, "handling a claim left unfinished by another run");
      await this.handle(o, ctx, report);
    }

    this.lastTickAt = nowMs;
    if (report.claimed || report.dropped || report.recovered)
      this.log.info({ ...report, catchUp }, catchUp ? "scheduler catch-up run" : "scheduler run");
    return report;
  }

  private async handle(o: Occurrence, ctx: Ctx, report: TickReport): Promise<void> {
    try {
      const res = await this.execute(o, ctx);
      await finishOccurrence(this.store, o.key, res, new Date(this.clock.now()));
      if (res.outcome === "sent") report.sent++;
      else if (res.outcome === "skipped") report.skipped++;
    } catch (err) {
      // Left "claimed": handled again after the claim lease.
      this.log.error({ err, key: o.key }, "occurrence failed; it will be retried");
    }
  }

  private async execute(o: Occurrence, ctx: Ctx): Promise<Result> {
    switch (o.kind) {
      case "reminder":
        return this.reminder(o, ctx);
      case "late_summary":
        return this.lateSummary(o, ctx);
      case "content":
        return this.content(o, ctx);
    }
  }

  private async send(o: Occurrence, chats: Link[], text: (chat: Link) => { text: string; mentions?: { id: string; name: string }[] }): Promise<number> {
    let n = 0;
    for (const chat of chats) {
      const body = text(chat);
      const res = await enqueue(
        this.store,
        { channel: chat.channel, chatId: chat.chatId, text: body.text, ...(body.mentions?.length ? { mentions: body.mentions } : {}) },
        { dedupeKey: `sched:${o.key}|${chat.channel}:${chat.chatId}` },
      );
      if (res.created) n++;
    }
    return n;
  }

  /** The plan an occurrence belongs to (older claims without a plan id: the plan with that rule). */
  private planOf(o: Occurrence): Plan | undefined {
    if (o.data.planId) return this.plans.find((p) => p.id === o.data.planId);
    return (
      this.plans.find((p) => p.reminders.some((r) => r.key === o.ruleKey) || p.content.schedules.some((c) => c.key === o.ruleKey)) ??
      undefined
    );
  }

  private async reminder(o: Occurrence, ctx: Ctx): Promise<Result> {
    const plan = this.planOf(o);
    if (!plan) return { outcome: "skipped", detail: "plan not loaded" };
    const unit = ctx.tree.byId(o.unitId);
    if (!unit) return { outcome: "skipped", detail: "unit not in the tree" };
    const chats = ctx.links.get(unit.id) ?? [];
    if (chats.length === 0) return { outcome: "skipped", detail: "no linked group" };
    const rule = plan.reminders.find((r) => r.key === o.ruleKey);
    const form = o.data.formKey ? plan.forms.find((f) => f.key === o.data.formKey) : undefined;
    const milestone = o.data.milestoneKey ? plan.milestones.find((m) => m.key === o.data.milestoneKey) : undefined;
    if ((rule?.onlyMissing ?? true) && form && o.data.periodKey) {
      const reported = await this.store.prisma.report.findUnique({
        where: { planKey_formKey_periodKey_unitId: { planKey: plan.id, formKey: form.key, periodKey: o.data.periodKey, unitId: unit.id } },
        select: { id: true },
      });
      if (reported) return { outcome: "skipped", detail: "already reported" };
    }
    const leaders = await this.store.prisma.role.findMany({
      where: { unitId: unit.id, role: "leader" },
      select: { person: { select: { channel: true, externalId: true, displayName: true } } },
      orderBy: { id: "asc" },
    });
    const n = await this.send(o, chats, (chat) => {
      const people = leaders
        .filter((l) => l.person.channel === chat.channel)
        .map((l) => ({ id: l.person.externalId, name: l.person.displayName }));
      const text = renderReminder({
        plan,
        unitName: unit.name,
        leaders: people.map((p) => p.name),
        dueAt: o.dueAt,
        sendAt: o.sendAt.getTime() < ctx.now.getTime() ? ctx.now : o.sendAt,
        ...(form ? { form } : {}),
        ...(o.data.periodKey ? { periodKey: o.data.periodKey } : {}),
        ...(milestone ? { milestone } : {}),
        lng: this.lng,
      });
      return { text, mentions: people };
    });
    return { outcome: "sent", detail: `${n} message(s) queued` };
  }

  private async lateSummary(o: Occurrence, ctx: Ctx): Promise<Result> {
    const plan = this.planOf(o);
    if (!plan) return { outcome: "skipped", detail: "plan not loaded" };
    const parent = ctx.tree.byId(o.unitId);
    if (!parent) return { outcome: "skipped", detail: "unit not in the tree" };
    const chats = ctx.links.get(parent.id) ?? [];
    if (chats.length === 0) return { outcome: "skipped", detail: "no linked group" };
    const form = plan.forms.find((f) => f.key === o.data.formKey);
    if (!form || !o.data.periodKey) return { outcome: "skipped", detail: "form not in the plan" };
    const milestone = o.data.milestoneKey ? plan.milestones.find((m) => m.key === o.data.milestoneKey) : undefined;
    const kinds = milestone?.unitKinds ?? form.unitKinds;
    const codes = milestone?.unitCodes ? new Set(milestone.unitCodes.map((c) => c.toUpperCase())) : null;
    const expected = ctx.tree.children(parent.id).filter((c) => kinds.includes(c.kind) && (!codes || codes.has(c.code.toUpperCase())));
    if (expected.length === 0) return { outcome: "skipped", detail: "no units owe this report" };
    const reports = await this.store.prisma.report.findMany({
      where: { planKey: plan.id, formKey: form.key, periodKey: o.data.periodKey, unitId: { in: expected.map((u) => u.id) } },
      select: { unitId: true },
    });
    const done = new Set(reports.map((r) => r.unitId));
    const late = expected.filter((u) => !done.has(u.id));
    if (late.length === 0) return { outcome: "skipped", detail: "nothing late" };
    const text = renderLateSummary({
      plan,
      form,
      periodKey: o.data.periodKey,
      dueAt: o.dueAt,
      parentName: parent.name,
      late: late.map((u) => u.name),
      expected: expected.length,
      lng: this.lng,
    });
    const n = await this.send(o, chats, () => ({ text }));
    return { outcome: "sent", detail: `${late.length} late; ${n} message(s) queued` };
  }

  private async content(o: Occurrence, ctx: Ctx): Promise<Result> {
    const plan = this.planOf(o);
    if (!plan) return { outcome: "skipped", detail: "plan not loaded" };
    const chats = ctx.links.get(o.unitId) ?? [];
    if (chats.length === 0) return { outcome: "skipped", detail: "no linked group" };
    const schedule = plan.content.schedules.find((s) => s.key === o.ruleKey);
    const window = (schedule?.noRepeatDays ?? 30) * DAY_MS;
    const history = await contentHistory(this.store, o.unitId, new Date(o.sendAt.getTime() - Math.max(window, 60 * DAY_MS)));
    const choice = chooseContentItem(plan, schedule, o.unitId, o.sendAt, history.filter((h) => h.at < o.sendAt), ctx.paused);
    if (!choice) return { outcome: "skipped", detail: "no content item available" };
    if (choice.repeat) this.log.warn({ key: o.key, item: choice.item.key }, "content repeats within noRepeatDays (too few items)");
    await setItemKey(this.store, o.key, choice.item.key);
    const text = renderContent(choice.item, this.lng);
    const n = await this.send(o, chats, () => ({ text }));
    return { outcome: "sent", detail: `${n} message(s) queued`, itemKey: choice.item.key };
  }
}
