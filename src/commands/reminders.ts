/**
 * /nhacnho (upcoming deadlines for my units), /noidung (today's outreach content), and the admin
 * commands /tamdung and /tieptuc (pause and resume a reminder rule or a content schedule/item)
 * and /tinloi (messages the outbox set aside). The schedule itself lives in src/scheduler/.
 */
import { canOversee, overseenRoots, reportingUnits } from "../domain/permissions.js";
import { localIsoDate, localTimeText } from "../domain/periods.js";
import type { UnitNode } from "../domain/types.js";
import { formatDate } from "../domain/vi/index.js";
import { t } from "../i18n.js";
import { listSetAside } from "../outbox/index.js";
import { listPaused, pauseRule, resumeRule, todaysContent, upcomingReminders } from "../scheduler/index.js";
import { noCurrentPlanText } from "./plan-status.js";
import type { Command, CommandContext } from "./types.js";

const when = (d: Date) => `${localTimeText(d)} ${formatDate(localIsoDate(d))}`;

/** The units whose deadlines concern this person: her reporting units, and every unit she oversees. */
function myUnits(ctx: CommandContext): UnitNode[] {
  const tree = ctx.app.tree();
  const out = new Map<number, UnitNode>();
  for (const u of reportingUnits(ctx.grants, tree)) out.set(u.id, u);
  for (const root of overseenRoots(ctx.grants, tree)) for (const u of tree.subtree(root.id)) out.set(u.id, u);
  return [...out.values()];
}

export const remindersCommand: Command = {
  name: "nhacnho",
  async run(ctx) {
    if (ctx.grants.length === 0) return ctx.reply(t("bot:denied.unregistered"));
    const units = myUnits(ctx);
    const plan = ctx.app.currentPlan();
    if (!plan) return ctx.reply(noCurrentPlanText(ctx.app));
    const deadlines = await upcomingReminders(ctx.app.store, plan, ctx.app.tree(), units.map((u) => u.id), ctx.app.now(), 5);
    if (deadlines.length === 0) return ctx.reply(t("bot:reminders.none"));
    const lines = [t("bot:reminders.header")];
    for (const d of deadlines) {
      const title = d.periodLabel ? `${d.title} (${d.periodLabel})` : d.title;
      lines.push(d.event ? t("bot:reminders.event", { title, day: when(d.dueAt).split(" ").pop() }) : t("bot:reminders.deadline", { title, due: when(d.dueAt) }));
      const checked = d.units.filter((u) => u.reported !== null);
      if (checked.length === 1) {
        lines.push(checked[0]!.reported ? t("bot:reminders.one_done", { unit: checked[0]!.name }) : t("bot:reminders.one_missing", { unit: checked[0]!.name }));
      } else if (checked.length > 1) {
        lines.push(t("bot:reminders.many", { done: checked.filter((u) => u.reported).length, total: checked.length }));
      }
      if (d.paused) lines.push(t("bot:reminders.paused"));
      else if (d.nextReminderAt) lines.push(t("bot:reminders.next", { at: when(d.nextReminderAt) }));
    }
    await ctx.reply(lines.join("\n"));
  },
};

export const contentCommand: Command = {
  name: "noidung",
  async run(ctx) {
    const tree = ctx.app.tree();
    // The group's unit, else the person's own unit, else the root: content is public outreach.
    const unitId =
      ctx.chatUnitId ?? reportingUnits(ctx.grants, tree)[0]?.id ?? overseenRoots(ctx.grants, tree)[0]?.id ?? tree.roots[0]?.id;
    if (unitId === undefined) return ctx.reply(t("bot:content.none"));
    const plan = ctx.app.currentPlan();
    if (!plan) return ctx.reply(t("bot:content.none"));
    const content = await todaysContent(ctx.app.store, plan, tree, unitId, ctx.app.now());
    await ctx.reply(content.text ?? t("bot:content.none"));
  },
};

/** The keys an admin may pause: reminder rules, content schedules and content items of every plan (a key pauses it in each plan that has it). */
function pausableKeys(ctx: CommandContext): Set<string> {
  return new Set(
    ctx.app.plans.flatMap((p) => [...p.reminders.map((r) => r.key), ...p.content.schedules.map((s) => s.key), ...p.content.items.map((i) => i.key)]),
  );
}

function isProvinceAdmin(ctx: CommandContext): boolean {
  const tree = ctx.app.tree();
  return ctx.grants.some((g) => g.role === "admin" && tree.roots.some((r) => canOversee([g], tree, r.id)));
}

export const pauseCommand: Command = {
  name: "tamdung",
  needs: "admin",
  async run(ctx) {
    if (!isProvinceAdmin(ctx)) return ctx.reply(t("bot:denied.admin"));
    const keys = pausableKeys(ctx);
    if (!ctx.args) {
      const paused = await listPaused(ctx.app.store);
      return ctx.reply(
        t("bot:pause.usage", {
          keys: [...keys].join(", "),
          paused: paused.length ? paused.map((p) => p.key).join(", ") : t("bot:pause.none"),
        }),
      );
    }
    const key = ctx.args.trim();
    if (!keys.has(key)) return ctx.reply(t("bot:pause.unknown", { key }));
    // The pause and its confirmation commit together with the update's claim.
    ctx.write((tx) => pauseRule(tx, key, { by: ctx.person.id }));
    ctx.onCommitted(() => ctx.app.log.info({ key, by: ctx.person.id }, "rule paused"));
    await ctx.reply(t("bot:pause.done", { key }));
  },
};

export const resumeCommand: Command = {
  name: "tieptuc",
  needs: "admin",
  async run(ctx) {
    if (!isProvinceAdmin(ctx)) return ctx.reply(t("bot:denied.admin"));
    const key = ctx.args.trim();
    if (!key) return ctx.reply(t("bot:resume.usage"));
    // The answer depends on the removal: both in the update's transaction.
    let resumed = false;
    ctx.write(async (tx) => {
      resumed = await resumeRule(tx, key);
      await ctx.reply(resumed ? t("bot:resume.done", { key }) : t("bot:resume.not_paused", { key }));
    });
    ctx.onCommitted(() => ctx.app.log.info({ key, by: ctx.person.id, resumed }, "rule resumed"));
  },
};

export const setAsideCommand: Command = {
  name: "tinloi",
  needs: "admin",
  privateOnly: true,
  async run(ctx) {
    if (!isProvinceAdmin(ctx)) return ctx.reply(t("bot:denied.admin"));
    const rows = await listSetAside(ctx.app.store, { limit: 10 });
    if (rows.length === 0) return ctx.reply(t("bot:set_aside.none"));
    const lines = rows.map((r) =>
      t("bot:set_aside.row", { id: r.id, channel: r.channel, chat: r.chatId, attempts: r.attempts, error: r.lastError ?? "?", text: r.text.slice(0, 60) }),
    );
    await ctx.reply([t("bot:set_aside.header", { count: rows.length }), ...lines].join("\n"));
  },
};
