/**
 * The CLI's command table. To add a command: write a CliCommand (see ../types.ts) with its words,
 * its texts under "commands.<id>" in locales/{vi,en}/cli.json, and list it here.
 */
import type { CliCommand } from "../types.js";
import { backupCommand, restoreCommand } from "./backup.js";
import { exportCommand } from "./export.js";
import { inviteCommand } from "./invite.js";
import { planCheckCommand, planExtendCommand } from "./plan.js";
import { progressCommand } from "./progress.js";
import { unitsImportCommand } from "./units.js";
import { unitsReorganiseCommand } from "./reorganise.js";
import { zaloLoginCommand } from "./zalo.js";

export const COMMANDS: readonly CliCommand[] = [
  planCheckCommand,
  planExtendCommand,
  unitsImportCommand,
  unitsReorganiseCommand,
  progressCommand,
  exportCommand,
  inviteCommand,
  zaloLoginCommand,
  backupCommand,
  restoreCommand,
];
