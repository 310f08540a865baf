/**
 * Cross-checks of a plan that the zod schema cannot express: unique keys, references between
 * sections (askIf → earlier question, indicator → form question of a fitting type, reminder →
 * form or milestone, content → topic), date ranges, due rules that fit the period, cron
 * expressions. Pure: takes a schema-valid plan and returns every problem found (empty when fine).
 */
import { DEFAULT_LANGUAGE, type Language, t } from "../i18n.js";
import { cronProblem } from "./cron.js";
import type { Condition, Form, Indicator, Plan, Question, QuestionType } from "./schema.js";

export type PathSegment = string | number;

export interface CheckIssue {
  /** Where in the plan, e.g. ["forms", 0, "questions", 2, "max"]. */
  path: PathSegment[];
  message: string;
}

/** "forms[0].questions[2].max" */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** A real calendar date in YYYY-MM-DD form (the schema already checked the shape). */
export function isRealDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Question types each indicator measure can be computed from. */
export const MEASURE_QUESTION_TYPES: Record<Indicator["measure"], readonly QuestionType[]> = {
  sum: ["integer", "decimal"],
  ratio: ["part_of_total"],
  yes_share: ["yes_no"],
};

const PERIOD_MONTHS = { monthly: 1, half_yearly: 6, yearly: 12 } as const;

const ORDER_OPS: readonly Condition["op"][] = ["eq", "ne", "gt", "gte", "lt", "lte"];
const EQUALITY_OPS: readonly Condition["op"][] = ["eq", "ne"];

export function checkPlan(plan: Plan, lng: Language = DEFAULT_LANGUAGE): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const add = (path: PathSegment[], key: string, params: Record<string, unknown> = {}): void => {
    issues.push({ path, message: t(`plan:check.${key}`, params, lng) });
  };
  const typeName = (type: QuestionType): string => t(`plan:questionType.${type}`, {}, lng);
  const list = (keys: Iterable<string>): string => [...keys].join(", ");

  function duplicates(items: readonly { key: string }[], base: PathSegment[]): void {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const first = seen.get(item.key);
      if (first === undefined) seen.set(item.key, index);
      else add([...base, index, "key"], "duplicateKey", { key: item.key, first: formatPath([...base, first]) });
    });
  }

  /** True when the date is real; reports it otherwise. */
  function realDate(value: string, path: PathSegment[]): boolean {
    if (isRealDate(value)) return true;
    add(path, "invalidDate", { date: value });
    return false;
  }

  // ---- plan period ----
  const startOk = realDate(plan.start, ["start"]);
  const endOk = realDate(plan.end, ["end"]);
  const periodOk = startOk && endOk && plan.start <= plan.end;
  if (startOk && endOk && plan.start > plan.end) add(["end"], "endBeforeStart", { start: plan.start, end: plan.end });
  const insidePlan = (date: string): boolean => !periodOk || (date >= plan.start && date <= plan.end);
  const outside = { start: plan.start, end: plan.end };

  /** validFrom / validUntil: real dates, in order, inside the plan. */
  function validity(item: { validFrom?: string | undefined; validUntil?: string | undefined }, base: PathSegment[]): void {
    const fromOk = item.validFrom !== undefined && realDate(item.validFrom, [...base, "validFrom"]);
    const untilOk = item.validUntil !== undefined && realDate(item.validUntil, [...base, "validUntil"]);
    if (fromOk && !insidePlan(item.validFrom!)) add([...base, "validFrom"], "formDateOutsidePlan", { field: "validFrom", date: item.validFrom, ...outside });
    if (untilOk && !insidePlan(item.validUntil!)) add([...base, "validUntil"], "formDateOutsidePlan", { field: "validUntil", date: item.validUntil, ...outside });
    if (fromOk && untilOk && item.validFrom! > item.validUntil!) {
      add([...base, "validUntil"], "validUntilBeforeFrom", { from: item.validFrom, until: item.validUntil });
    }
  }

  // ---- values, campaigns, models: the topics and choices of the plan ----
  duplicates(plan.values, ["values"]);
  duplicates(plan.campaigns, ["campaigns"]);
  duplicates(plan.models, ["models"]);
  const valueKeys = new Set(plan.values.map((v) => v.key));
  plan.campaigns.forEach((campaign, i) => {
    if (valueKeys.has(campaign.key)) add(["campaigns", i, "key"], "topicClash", { key: campaign.key });
  });
  const topics = new Set([...valueKeys, ...plan.campaigns.map((c) => c.key)]);

  // ---- forms ----
  duplicates(plan.forms, ["forms"]);
  const formsByKey = new Map<string, Form>();
  plan.forms.forEach((form, fi) => {
    if (!formsByKey.has(form.key)) formsByKey.set(form.key, form);
    const fp: PathSegment[] = ["forms", fi];

    // from / until
    const fromOk = form.from !== undefined && realDate(form.from, [...fp, "from"]);
    const untilOk = form.until !== undefined && realDate(form.until, [...fp, "until"]);
    if (fromOk && !insidePlan(form.from!)) add([...fp, "from"], "formDateOutsidePlan", { field: "from", date: form.from, ...outside });
    if (untilOk && !insidePlan(form.until!)) add([...fp, "until"], "formDateOutsidePlan", { field: "until", date: form.until, ...outside });
    if (fromOk && untilOk && form.from! > form.until!) add([...fp, "until"], "formUntilBeforeFrom", { from: form.from, until: form.until });

    // due rule fits the period
    const due = form.due;
    if (form.period === "once") {
      if (!("date" in due)) add([...fp, "due"], "onceNeedsDate");
      else if (realDate(due.date, [...fp, "due", "date"]) && !insidePlan(due.date)) {
        add([...fp, "due", "date"], "dueOutsidePlan", { date: due.date, ...outside });
      }
    } else if ("date" in due) {
      add([...fp, "due"], "periodicNeedsDay", { period: form.period });
    } else {
      const months = PERIOD_MONTHS[form.period];
      if (due.monthOffset < -(months - 1)) {
        add([...fp, "due", "monthOffset"], "dueBeforePeriod", { offset: due.monthOffset, min: -(months - 1) });
      }
    }

    // questions
    duplicates(form.questions, [...fp, "questions"]);
    const indexByKey = new Map<string, number>();
    form.questions.forEach((q, qi) => {
      if (!indexByKey.has(q.key)) indexByKey.set(q.key, qi);
    });
    form.questions.forEach((q, qi) => {
      const qp: PathSegment[] = [...fp, "questions", qi];
      if ((q.type === "integer" || q.type === "decimal") && q.min > q.max) {
        add([...qp, "max"], "minGreaterThanMax", { min: q.min, max: q.max });
      }
      if (q.type === "single_choice" || q.type === "multi_choice") duplicates(q.choices, [...qp, "choices"]);
      if (q.askIf) {
        const ref = indexByKey.get(q.askIf.question);
        const ap: PathSegment[] = [...qp, "askIf"];
        if (ref === undefined) {
          add([...ap, "question"], "askIfUnknown", { question: q.askIf.question, questions: list(indexByKey.keys()) });
        } else if (ref === qi) {
          add([...ap, "question"], "askIfSelf", { question: q.askIf.question });
        } else if (ref > qi) {
          add([...ap, "question"], "askIfLater", { question: q.askIf.question });
        } else {
          checkCondition(q.askIf, form.questions[ref]!, ap);
        }
      }
    });
  });

  function checkCondition(cond: Condition, target: Question, ap: PathSegment[]): void {
    const value = cond.value;
    const params = { question: target.key, type: typeName(target.type), value: JSON.stringify(value), op: cond.op };
    const wrongValue = (expected: string): void => add([...ap, "value"], "askIfValueType", { ...params, expected: t(`plan:expected.${expected}`, {}, lng) });
    const allowOps = (ops: readonly Condition["op"][]): void => {
      if (!ops.includes(cond.op)) add([...ap, "op"], "askIfOp", { ...params, ops: ops.join(", ") });
    };
    const choiceKeys = (): string[] => ("choices" in target ? target.choices.map((c) => c.key) : []);
    switch (target.type) {
      case "integer":
      case "decimal":
        if (typeof value !== "number") wrongValue("number");
        allowOps(ORDER_OPS);
        break;
      case "yes_no":
        if (typeof value !== "boolean") wrongValue("boolean");
        allowOps(EQUALITY_OPS);
        break;
      case "single_choice":
      case "multi_choice": {
        const keys = choiceKeys();
        if (typeof value !== "string") wrongValue("choice");
        else if (!keys.includes(value)) add([...ap, "value"], "askIfChoice", { ...params, choices: keys.join(", ") });
        allowOps(target.type === "single_choice" ? EQUALITY_OPS : ["includes"]);
        break;
      }
      case "text":
        if (typeof value !== "string") wrongValue("string");
        allowOps(EQUALITY_OPS);
        break;
      case "date":
        if (typeof value !== "string" || !isRealDate(value)) wrongValue("date");
        allowOps(ORDER_OPS);
        break;
      case "part_of_total":
      case "photo":
        add([...ap, "question"], "askIfNotComparable", params);
        break;
    }
  }

  // ---- indicators ----
  duplicates(plan.indicators, ["indicators"]);
  plan.indicators.forEach((indicator, ii) => {
    const ip: PathSegment[] = ["indicators", ii];
    const form = formsByKey.get(indicator.form);
    if (!form) {
      add([...ip, "form"], "indicatorUnknownForm", { form: indicator.form, forms: list(formsByKey.keys()) });
    } else {
      const question = form.questions.find((q) => q.key === indicator.question);
      if (!question) {
        add([...ip, "question"], "indicatorUnknownQuestion", {
          question: indicator.question,
          form: form.key,
          questions: list(form.questions.map((q) => q.key)),
        });
      } else {
        const allowed = MEASURE_QUESTION_TYPES[indicator.measure];
        if (!allowed.includes(question.type)) {
          add([...ip, "question"], "indicatorMeasureType", {
            measure: indicator.measure,
            question: question.key,
            type: typeName(question.type),
            expected: allowed.map(typeName).join(t("plan:or", {}, lng)),
          });
        }
      }
    }
    if (indicator.measure !== "sum" && indicator.target.atLeast > 100) {
      add([...ip, "target", "atLeast"], "indicatorPercent", { value: indicator.target.atLeast });
    }
  });

  // ---- milestones ----
  duplicates(plan.milestones, ["milestones"]);
  const milestoneKeys = new Set(plan.milestones.map((m) => m.key));
  plan.milestones.forEach((milestone, mi) => {
    const mp: PathSegment[] = ["milestones", mi];
    if (realDate(milestone.date, [...mp, "date"]) && !insidePlan(milestone.date)) {
      add([...mp, "date"], "milestoneOutsidePlan", { date: milestone.date, ...outside });
    }
    if (milestone.form !== undefined && !formsByKey.has(milestone.form)) {
      add([...mp, "form"], "milestoneUnknownForm", { form: milestone.form, forms: list(formsByKey.keys()) });
    }
  });

  // ---- reminders ----
  duplicates(plan.reminders, ["reminders"]);
  plan.reminders.forEach((reminder, ri) => {
    validity(reminder, ["reminders", ri]);
    const target = reminder.target;
    if ("form" in target) {
      if (!formsByKey.has(target.form)) {
        add(["reminders", ri, "target", "form"], "reminderUnknownForm", { form: target.form, forms: list(formsByKey.keys()) });
      }
    } else if (!milestoneKeys.has(target.milestone)) {
      add(["reminders", ri, "target", "milestone"], "reminderUnknownMilestone", {
        milestone: target.milestone,
        milestones: list(milestoneKeys),
      });
    }
  });

  // ---- content ----
  duplicates(plan.content.items, ["content", "items"]);
  plan.content.items.forEach((item, i) => {
    validity(item, ["content", "items", i]);
    if (!topics.has(item.topic)) {
      add(["content", "items", i, "topic"], "contentTopicUnknown", { topic: item.topic, topics: list(topics) });
    }
  });
  duplicates(plan.content.schedules, ["content", "schedules"]);
  plan.content.schedules.forEach((schedule, si) => {
    const sp: PathSegment[] = ["content", "schedules", si];
    const problem = cronProblem(schedule.cron, lng);
    if (problem !== null) add([...sp, "cron"], "cronInvalid", { cron: schedule.cron, problem });
    schedule.topics?.forEach((topic, ti) => {
      if (!topics.has(topic)) add([...sp, "topics", ti], "scheduleTopicUnknown", { topic, topics: list(topics) });
    });
  });

  return issues;
}
