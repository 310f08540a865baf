/**
 * The scheduler: pure occurrence computation (occurrences.ts, rotation.ts, time.ts), a thin
 * node-cron driver with exactly-once claims in the store (driver.ts), admin pause / resume
 * (store.ts) and the queries behind /nhacnho and /noidung (service.ts).
 */
export { Scheduler, type SchedulerOptions, type TickReport, type TreeSource } from "./driver.js";
export { formName, periodText, renderContent, renderLateSummary, renderReminder, timeLeftText } from "./messages.js";
export {
  isValidAt,
  type ItemFailure,
  lateSummarySendAt,
  listOccurrences,
  milestoneDue,
  type Occurrence,
  type OccurrenceData,
  occurrenceKey,
  type OccurrenceKind,
  type OccurrenceOptions,
  reminderSendAt,
  staleReason,
  type StalenessOptions,
  supersede,
} from "./occurrences.js";
export { chooseContentItem, type ContentChoice, contentCandidates, type ContentHistoryEntry } from "./rotation.js";
export {
  upcomingReminders,
  type TodaysContent,
  todaysContent,
  type TodaysContentEntry,
  type UpcomingDeadline,
  type UpcomingUnit,
} from "./service.js";
export { listPaused, type OccurrenceOutcome, pauseRule, type PausedEntry, resumeRule } from "./store.js";
export { afterQuiet, cronTimes, DEFAULT_QUIET_HOURS, durationMs, isQuiet, type QuietHours } from "./time.js";
