/**
 * The plan: a declarative description of what an organisation asks its units to do and report.
 * A YAML file validated by this schema. Every field is documented here because this file is the
 * reference for people who edit a plan without a programmer (see docs in README).
 */
import { z } from "zod";

/**
 * A key used in answers, indicators and commands: lower case ASCII, digits and underscores.
 * Messages given here are locale keys (locales/<lng>/plan.json), translated by the loader.
 */
export const keySchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, "plan:format.key");

export const unitKindSchema = z.enum(["province", "district", "commune", "branch", "special"]);
export type UnitKind = z.infer<typeof unitKindSchema>;

const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "plan:format.date");
const timeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "plan:format.time");

const choiceSchema = z.object({
  key: keySchema,
  label: z.string().min(1),
});
export type Choice = z.infer<typeof choiceSchema>;

/** Ask a question only when an earlier answer satisfies this condition. */
export const conditionSchema = z.object({
  question: keySchema,
  op: z.enum(["eq", "ne", "gt", "gte", "lt", "lte", "includes"]).default("eq"),
  value: z.union([z.number(), z.boolean(), z.string()]),
});
export type Condition = z.infer<typeof conditionSchema>;

const questionBase = {
  key: keySchema,
  /** The question as the branch leader reads it. */
  text: z.string().min(1),
  /** Optional extra explanation shown with the question. */
  hint: z.string().optional(),
  optional: z.boolean().default(false),
  askIf: conditionSchema.optional(),
  /**
   * A short name ("Số buổi tuyên truyền"): the row of the chat summary ("3. Số buổi tuyên truyền:
   * 4 buổi"), the workbook's column and the draft's line. Every question of a shipped plan has one;
   * without it the summary shortens the question's text and the outputs use outputs/labels.ts.
   */
  label: z.string().min(1).optional(),
};

/**
 * How a number answered each period adds up over a longer window (a 6-month or yearly draft
 * reading monthly reports): sum = added up (sessions held, households newly recognised);
 * latest = each unit's latest answer (a stock such as "models now active", or a running total).
 */
export const aggregateSchema = z.enum(["sum", "latest"]).default("sum");
export type Aggregate = z.infer<typeof aggregateSchema>;

export const questionSchema = z.discriminatedUnion("type", [
  z.object({
    ...questionBase,
    type: z.literal("integer"),
    min: z.number().int().default(0),
    max: z.number().int(),
    unit: z.string().optional(),
    aggregate: aggregateSchema,
  }),
  z.object({
    ...questionBase,
    type: z.literal("decimal"),
    min: z.number().default(0),
    max: z.number(),
    unit: z.string().optional(),
    aggregate: aggregateSchema,
  }),
  z.object({ ...questionBase, type: z.literal("yes_no") }),
  z.object({ ...questionBase, type: z.literal("single_choice"), choices: z.array(choiceSchema).min(2) }),
  z.object({ ...questionBase, type: z.literal("multi_choice"), choices: z.array(choiceSchema).min(2) }),
  z.object({
    ...questionBase,
    type: z.literal("text"),
    maxLength: z.number().int().positive().default(500),
    /**
     * Where the periodic draft quotes the answers of the units below: summary (their results and
     * ways of working, default) or proposal (their difficulties and proposals, in "Kiến nghị").
     */
    draftSection: z.enum(["summary", "proposal"]).default("summary"),
  }),
  z.object({ ...questionBase, type: z.literal("date") }),
  z.object({
    ...questionBase,
    type: z.literal("photo"),
    /**
     * Photos (ảnh minh chứng): she sends one or more photos, then "Xong". At most `max` are kept
     * (reaching it ends the question); a required photo question needs at least one.
     */
    max: z.number().int().min(1).max(20).default(5),
  }),
  z.object({
    ...questionBase,
    type: z.literal("part_of_total"),
    /** What the part counts, e.g. "được hỗ trợ". */
    partLabel: z.string().min(1),
    /** What the total counts, e.g. "được phát hiện". */
    totalLabel: z.string().min(1),
    max: z.number().int().positive().default(100000),
    aggregate: aggregateSchema,
  }),
]);
export type Question = z.infer<typeof questionSchema>;
export type QuestionType = Question["type"];

/**
 * When a report is due. For periodic forms the month is the last month of the period plus
 * `monthOffset`; `day` is a day of that month or "last". For one-off forms, `date`.
 * Time is local (the plan's time zone).
 */
export const dueRuleSchema = z.union([
  z.object({
    day: z.union([z.number().int().min(1).max(31), z.literal("last")]),
    monthOffset: z.number().int().min(-11).max(12).default(0),
    time: timeSchema.default("23:59"),
  }),
  z.object({ date: dateSchema, time: timeSchema.default("23:59") }),
]);
export type DueRule = z.infer<typeof dueRuleSchema>;

export const periodKindSchema = z.enum(["monthly", "half_yearly", "yearly", "once"]);
export type PeriodKind = z.infer<typeof periodKindSchema>;

export const formSchema = z.object({
  key: keySchema,
  title: z.string().min(1),
  /** Short name used in commands and receipts. */
  shortTitle: z.string().optional(),
  period: periodKindSchema,
  due: dueRuleSchema,
  /** First and last period this form is asked for (dates, inclusive). Defaults to the plan's. */
  from: dateSchema.optional(),
  until: dateSchema.optional(),
  /** Which kinds of unit answer this form. */
  unitKinds: z.array(unitKindSchema).min(1),
  questions: z.array(questionSchema).min(1),
});
export type Form = z.infer<typeof formSchema>;

/**
 * An indicator computed from answers, compared with a target.
 * - sum: the sum of a number question; with `target.per` each unit of that kind must reach
 *   `atLeast` (e.g. each commune union helps 5 households a year).
 * - ratio: sum of parts / sum of totals of a part_of_total question (e.g. ≥ 80% of victims supported).
 * - yes_share: the share of expected units that answered yes (e.g. 100% of branches held outreach).
 * `window`: the reports counted — the form's own period, the calendar year to date, or the whole plan to date.
 * `target.atLeast`: for sum a count; for ratio and yes_share a share, written as a percentage (80)
 *   or a fraction (0.8): values above 1 are read as a percentage, at most 100 (checked at load).
 */
export const indicatorSchema = z.object({
  key: keySchema,
  name: z.string().min(1),
  form: keySchema,
  question: keySchema,
  measure: z.enum(["sum", "ratio", "yes_share"]),
  window: z.enum(["period", "year", "plan"]).default("period"),
  target: z.object({
    atLeast: z.number().nonnegative(),
    per: unitKindSchema.optional(),
  }),
  /** The plan's target this indicator measures, quoted (e.g. "Chỉ tiêu 3"). */
  source: z.string().optional(),
});
export type Indicator = z.infer<typeof indicatorSchema>;

export const milestoneSchema = z.object({
  key: keySchema,
  name: z.string().min(1),
  date: dateSchema,
  time: timeSchema.default("23:59"),
  /** Who must act by then. */
  unitKinds: z.array(unitKindSchema).min(1),
  /** Optionally only these units (by code), e.g. the two pilot communes. */
  unitCodes: z.array(z.string().min(1)).optional(),
  /** A form whose report shows the milestone was met (for an event: the short report after it). */
  form: keySchema.optional(),
  /**
   * An event on that day (a conference, Family Day 28/6), not a deadline: its reminders announce
   * it ("sắp đến … ngày 28/6") instead of "Hạn: …", and ask for the follow-up form afterwards.
   */
  event: z.boolean().default(false),
});
export type Milestone = z.infer<typeof milestoneSchema>;

/** Duration like "3d", "12h", "30m". */
export const durationSchema = z.string().regex(/^\d+[dhm]$/, "plan:format.duration");

/**
 * Optional dates bounding when a reminder rule or content item is used (inclusive, the plan's
 * time zone): outside them the scheduler sends nothing for it and /noidung does not show it.
 * E.g. outreach that a change of law made out of date carries `validUntil`.
 */
export const validitySchema = {
  validFrom: dateSchema.optional(),
  validUntil: dateSchema.optional(),
};

export const reminderRuleSchema = z.object({
  key: keySchema,
  ...validitySchema,
  /** A form key or a milestone key. */
  target: z.object({ form: keySchema }).or(z.object({ milestone: keySchema })),
  /** How long before the deadline each reminder goes out. */
  before: z.array(durationSchema).min(1),
  /** Send only to units that have not reported yet. */
  onlyMissing: z.boolean().default(true),
  /** After the deadline, send the parent unit a summary of late units. */
  lateSummaryToParent: z.boolean().default(true),
});
export type ReminderRule = z.infer<typeof reminderRuleSchema>;

export const familyValueSchema = z.object({ key: keySchema, name: z.string().min(1), description: z.string().min(1) });
export const campaignSchema = z.object({
  key: keySchema,
  name: z.string().min(1),
  criteria: z.array(z.string().min(1)).min(1),
});
export const familyModelSchema = z.object({ key: keySchema, name: z.string().min(1) });

export const contentItemSchema = z.object({
  key: keySchema,
  /** A family value key or a campaign key this item is about. */
  topic: keySchema,
  title: z.string().min(1),
  text: z.string().min(1),
  ...validitySchema,
});
export type ContentItem = z.infer<typeof contentItemSchema>;

export const contentScheduleSchema = z.object({
  key: keySchema,
  /** Cron expression in the plan's time zone (minute hour day month weekday). */
  cron: z.string().min(9),
  unitKinds: z.array(unitKindSchema).min(1),
  /** A group does not get the same item again within this many days. */
  noRepeatDays: z.number().int().min(0).default(30),
  /** Only items with these topics; all when absent. */
  topics: z.array(keySchema).optional(),
});

export const planSchema = z.object({
  id: keySchema,
  title: z.string().min(1),
  /** The document this plan encodes, e.g. "52/KH-BTV ngày 14/02/2023". */
  reference: z.string().min(1),
  organisation: z.string().min(1),
  /**
   * official: the plan encodes an approved document; draft: a proposal (e.g. a continuation or
   * an extension made with `plan extend`) for the organisation to approve. Shown by `plan check`.
   */
  status: z.enum(["official", "draft"]).default("official"),
  /** The id of the plan this one carries forward, when it is a continuation or an extension. */
  continues: keySchema.optional(),
  /** A note for the people who approve or edit the plan (what changed, what to verify). */
  note: z.string().optional(),
  /**
   * The periodic draft (/baocaotonghop): the lines of "Nơi nhận" ("{cap_tren}" stands for the
   * sending unit's parent; a line with it is left out for a unit without one) and the signer's title.
   */
  draft: z
    .object({
      recipients: z.array(z.string().min(1)).default(["{cap_tren} (để báo cáo)", "Lưu: VT"]),
      signerTitle: z.string().min(1).default("CHỦ TỊCH"),
    })
    .default({ recipients: ["{cap_tren} (để báo cáo)", "Lưu: VT"], signerTitle: "CHỦ TỊCH" }),
  /** Place name used in the formal date line ("Nam Định, ngày … tháng … năm …") when the unit's own cannot be told. */
  place: z.string().min(1),
  timezone: z.literal("Asia/Ho_Chi_Minh").default("Asia/Ho_Chi_Minh"),
  start: dateSchema,
  end: dateSchema,
  values: z.array(familyValueSchema).min(1),
  campaigns: z.array(campaignSchema).default([]),
  models: z.array(familyModelSchema).default([]),
  forms: z.array(formSchema).min(1),
  indicators: z.array(indicatorSchema).default([]),
  milestones: z.array(milestoneSchema).default([]),
  reminders: z.array(reminderRuleSchema).default([]),
  content: z
    .object({
      items: z.array(contentItemSchema).default([]),
      schedules: z.array(contentScheduleSchema).default([]),
    })
    .default({ items: [], schedules: [] }),
});
export type Plan = z.infer<typeof planSchema>;
export type PlanInput = z.input<typeof planSchema>;

/** Answer values as stored in a report, by question type. */
export type AnswerValue =
  | number // integer, decimal
  | boolean // yes_no
  | string // single_choice (choice key), text, date (YYYY-MM-DD)
  | string[] // multi_choice (choice keys)
  | { part: number; total: number } // part_of_total
  | PhotoRef[]; // photo
export type Answers = Record<string, AnswerValue>;

/**
 * One photo of a photo answer, as the channel delivered it: the channel's reference to the file
 * (Telegram file_id, or a Zalo attachment URL, which expires), the id that names the same file in
 * every delivery (Telegram file_unique_id; the Zalo message id), and what is known of its size and
 * type. The downloaded copy is kept apart (store/photos.ts), found by channel and uniqueId.
 */
export type PhotoRef = {
  channel: string;
  /** Telegram file_id; for Zalo the attachment URL. */
  fileId: string;
  /** Telegram file_unique_id; for Zalo the message id (and the attachment's index). */
  uniqueId: string;
  /** Bytes, when the channel said. */
  size?: number;
  mime?: string;
};
