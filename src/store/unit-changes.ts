/**
 * A running bot follows unit-tree changes made by another process on the same PostgreSQL database
 * (`units import`, `units reorganise` from the CLI, or another instance): the change's transaction
 * sends a NOTIFY on UNITS_NOTIFY_CHANNEL, and every instance listening reloads its tree when it
 * commits. (On PGlite the folder is held by one process at a time, so the CLI runs while the bot is
 * stopped and the bot loads the tree at start.)
 */
import type { Logger } from "../log.js";
import { listenForNotifications, type WakeSource } from "./listen.js";

/** The PostgreSQL NOTIFY channel of unit-tree changes. */
export const UNITS_NOTIFY_CHANNEL = "vundap_units";

/** Announce a unit-tree change from inside its transaction (delivered at commit; dropped on rollback). */
export async function announceUnitChange(query: (text: string) => Promise<unknown>): Promise<void> {
  await query(`SELECT pg_notify('${UNITS_NOTIFY_CHANNEL}', 'changed')::text AS notified`);
}

/**
 * Calls `reload` after every unit-tree change committed by any process on `databaseUrl` (and once
 * after the listening connection comes back, since a change may have been missed). Reloads never
 * overlap: changes that arrive during one cause exactly one more. A failed reload is logged; the
 * next change, or reconnection, tries again.
 */
export function followUnitChanges(databaseUrl: string, reload: () => Promise<void>, log?: Logger): WakeSource {
  const source = listenForNotifications(databaseUrl, UNITS_NOTIFY_CHANNEL, { ...(log ? { log } : {}), what: "unit tree" });
  let running: Promise<void> | null = null;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = reload()
      .then(() => log?.info("unit tree reloaded from the store (changed by another process, or the listening connection came up)"))
      .catch((err: unknown) => log?.error({ err: (err as Error).message }, "could not reload the unit tree after a change; still using the previous one"))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
  };
  // Also called when the listening connection comes up (at start too): a change made before it
  // was listening is not missed, at the price of one extra reload.
  source.subscribe(run);
  return source;
}
