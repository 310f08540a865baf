/**
 * Short names of questions for column headers and report lines ("Số buổi tuyên truyền"), since a
 * question's text is what the bot asks in chat ("Chị cho em hỏi chi hội đã tổ chức mấy buổi…?").
 * In order: a `label` in the plan (when the plan schema has one), the label in
 * locales/<lng>/outputs.json (`formLabels.<form>.<question>`, then `labels.<question>`: the
 * default plan's questions), else the question's text cut to its first clause.
 */
import { currentLanguage } from "../i18n.js";
import { hasKey, t, type Language } from "../i18n.js";
import type { Form, Question } from "../plan/schema.js";

const MAX_FALLBACK = 60;

export function questionLabel(form: Pick<Form, "key">, q: Question, lng: Language = currentLanguage()): string {
  const own = (q as { label?: unknown }).label;
  if (typeof own === "string" && own.trim()) return own.trim();
  const specific = `outputs:formLabels.${form.key}.${q.key}`;
  if (hasKey(specific, lng)) return t(specific, {}, lng);
  const general = `outputs:labels.${q.key}`;
  if (hasKey(general, lng)) return t(general, {}, lng);
  return shortenQuestion(q.text);
}

/** "Dạ, trong tháng này chi hội mình có … không chị?" → its first clause, at most 60 characters. */
export function shortenQuestion(text: string): string {
  let s = text.replace(/\s+/g, " ").trim();
  s = s.replace(/^(?:Dạ,?\s*|Chị cho em hỏi\s*|Chị\s+)/iu, "");
  s = s.replace(/\s*(?:ạ|không chị|chị)\s*\?.*$/u, "").replace(/\?.*$/u, "").trim();
  if (s.length > MAX_FALLBACK) s = `${s.slice(0, MAX_FALLBACK - 1).trimEnd()}…`;
  return s ? s.charAt(0).toLocaleUpperCase("vi") + s.slice(1) : text;
}
