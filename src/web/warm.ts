/**
 * Warms the progress figures the dashboard's first pages need (the slice cache of src/progress
 * fills per form and period on its first call: 1–3 s for a whole province), so that the first
 * officer to open the province page after a start does not wait for it. Runs in the background.
 */
import type { AppServices } from "../commands/types.js";
import { currentPeriod } from "../domain/periods.js";
import { defaultProgressForm, loadProgress } from "../progress/index.js";

/** Loads the current period's progress of every root of the tree once; resolves when done. */
export async function warmDashboard(app: AppServices): Promise<void> {
  const plan = app.plan;
  const tree = app.tree();
  const now = app.now();
  for (const root of tree.roots) {
    const form = defaultProgressForm(plan, tree, root.id);
    if (!form) continue;
    await loadProgress(app.store, { plan, tree, rootId: root.id, form, period: currentPeriod(form, now, plan), now });
  }
}
