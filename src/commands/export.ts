/**
 * /xuat [đơn vị] [kỳ]: the officer's subtree as an Excel workbook (sent as a file);
 * /baocaotonghop [đơn vị] [kỳ] [đoạn]: the draft periodic report of her unit, as text and .docx.
 *
 * The unit is resolved as in /tiendo: the chat's unit when she oversees it, else her (first)
 * overseen unit; a unit she names must lie in her subtree. Nothing outside it is ever read.
 */
import { periodLabel } from "../domain/periods.js";
import { t } from "../i18n.js";
import { NoExportFormError } from "../outputs/data.js";
import { formatNumber } from "../domain/vi/format.js";
import { draftDocumentFromData, draftPasteText, draftReminder, draftText, loadDraftData } from "../outputs/periodic-report.js";
import type { OutboundFile } from "../channels/types.js";
import { periodScope, resolveScope, resolveScopeAsOf, type Scope } from "./scope.js";
import type { UnitTree } from "../domain/units/tree.js";
import type { Command, CommandContext } from "./types.js";

export type { OutboundFile };

/** Kept for callers written before every CommandContext could send files. */
export type FileCommandContext = CommandContext;

/** What /xuat answers: the caption and the file, or (file null) a refusal to send as text. */
export interface ExportReply {
  text: string;
  file: OutboundFile | null;
}

export { resolveScope };

/**
 * resolveScope, plus the tree to read: a named period before a reorganisation is read on the tree
 * of its last day, from the first unit of that tree standing for the officer's unit.
 */
async function resolvePeriodScope(ctx: CommandContext, args: string): Promise<(Scope & { ok: true; tree: UnitTree }) | (Scope & { ok: false })> {
  const scope = await resolveScopeAsOf(ctx, args);
  if (scope.ok && "tree" in scope) return scope;
  if (!scope.ok || !scope.period) return scope.ok ? { ...scope, tree: ctx.app.tree() } : scope;
  const { tree, roots } = await periodScope(ctx, scope.root, scope.period);
  const root = roots[0];
  if (!root) return { ok: false, text: t("bot:progress.no_unit_in_period", { unit: scope.root.name, period: periodLabel(scope.period) }) };
  return { ...scope, root, tree };
}

/** /xuat: the workbook of the officer's subtree and its caption. */
export async function exportReply(ctx: CommandContext, args: string): Promise<ExportReply> {
  const scope = await resolvePeriodScope(ctx, args);
  if (!scope.ok) return { text: scope.text, file: null };
  try {
    // exceljs loads on the first export, not at start.
    const { exportWorkbook } = await import("../outputs/workbook.js");
    const out = await exportWorkbook(ctx.app.store, {
      plan: scope.plan,
      tree: scope.tree,
      rootId: scope.root.id,
      period: scope.period ?? undefined,
      now: ctx.app.now(),
      ...(ctx.app.webBaseUrl ? { photoBaseUrl: ctx.app.webBaseUrl } : {}),
    });
    const main = out.export.sections[0]!.progress;
    const text = t("outputs:export.caption", {
      unit: scope.root.name,
      period: periodLabel(out.export.reference),
      received: formatNumber(main.received),
      expected: formatNumber(main.expected),
    });
    return { text, file: { name: out.fileName, data: out.data, mime: out.mime } };
  } catch (err) {
    if (err instanceof NoExportFormError) return { text: t("outputs:export.noForm", { unit: scope.root.name }), file: null };
    throw err;
  }
}

export const exportCommand: Command = {
  name: "xuat",
  needs: "view",
  async run(ctx) {
    const c = ctx as FileCommandContext;
    const reply = await exportReply(ctx, ctx.args);
    if (!reply.file) return ctx.reply(reply.text);
    if (!c.sendFile) return ctx.reply(t("outputs:export.noFile"));
    await c.sendFile(reply.file, reply.text);
  },
};

/** The words that ask /baocaotonghop for only the part to paste into the union's report. */
const PASTE_WORDS = /(?:^|\s)(?:đoạn|doan)(?=\s|$)/iu;

/** What /baocaotonghop answers: the draft (or a refusal), the reminder text of missing units, the .docx. */
export interface PeriodicReply {
  text: string;
  reminder: string | null;
  file: OutboundFile | null;
  /** The file's caption. */
  caption: string;
}

/**
 * /baocaotonghop [đơn vị] [kỳ] [kế hoạch] [đoạn]: the draft periodic report as text and as a
 * .docx in the union's document form, and the list of units not yet reported as its own short
 * text; with "đoạn", only the results to paste into the union's regular report (no file).
 */
export async function periodicReportReply(ctx: CommandContext, args: string): Promise<PeriodicReply> {
  const paste = PASTE_WORDS.test(args);
  const scope = await resolvePeriodScope(ctx, args.replace(PASTE_WORDS, " ").trim());
  if (!scope.ok) return { text: scope.text, reminder: null, file: null, caption: "" };
  try {
    const data = await loadDraftData(ctx.app.store, {
      plan: scope.plan,
      tree: scope.tree,
      rootId: scope.root.id,
      period: scope.period ?? undefined,
      now: ctx.app.now(),
    });
    const reminder = draftReminder(data);
    if (paste) return { text: draftPasteText(data), reminder, file: null, caption: "" };
    const doc = draftDocumentFromData(data);
    const caption = t("outputs:report.docxCaption", { unit: data.root.name, period: periodLabel(data.reference) });
    return { text: draftText(doc), reminder, file: await (await import("../outputs/docx.js")).draftDocxFile(doc, data), caption };
  } catch (err) {
    if (err instanceof NoExportFormError) return { text: t("outputs:export.noForm", { unit: scope.root.name }), reminder: null, file: null, caption: "" };
    throw err;
  }
}

export const periodicReportCommand: Command = {
  name: "baocaotonghop",
  needs: "view",
  async run(ctx) {
    const reply = await periodicReportReply(ctx, ctx.args);
    await ctx.reply(reply.text);
    if (reply.file) await ctx.sendFile(reply.file, reply.caption);
    if (reply.reminder) await ctx.reply(reply.reminder);
  },
};
