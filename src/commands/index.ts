/** The command table: every command word the bot answers, in one place. */
import { exportCommand, periodicReportCommand } from "./export.js";
import { helpCommand, startCommand } from "./help.js";
import { progressCommand } from "./progress.js";
import { inviteCommand, linkCommand, registerCommand } from "./register.js";
import { contentCommand, pauseCommand, remindersCommand, resumeCommand, setAsideCommand } from "./reminders.js";
import { cancelCommand, correctCommand, reportCommand } from "./report.js";
import type { Command } from "./types.js";
import { webCommand } from "./web.js";

export const COMMANDS: readonly Command[] = [
  startCommand,
  helpCommand,
  reportCommand,
  correctCommand,
  cancelCommand,
  progressCommand,
  registerCommand,
  linkCommand,
  inviteCommand,
  remindersCommand,
  contentCommand,
  pauseCommand,
  resumeCommand,
  setAsideCommand,
  exportCommand,
  periodicReportCommand,
  webCommand,
];

export function findCommand(name: string, table: readonly Command[] = COMMANDS): Command | undefined {
  return table.find((c) => c.name === name || c.aliases?.includes(name));
}

export type { Command, CommandContext, AppServices } from "./types.js";
