/**
 * The updates fetched from Telegram and not yet confirmed, and how far the offset may move.
 *
 * Telegram confirms every update below the `offset` of a getUpdates call, so the offset may only
 * move past a contiguous prefix of handled updates: an update handled after one still running (or
 * failed) stays unconfirmed until everything before it is handled too. Invariants kept here:
 * - `offset` is one past the last update of the handled prefix (0 before any update);
 * - every id in the window is ≥ `offset`, and the window holds, in order, every update Telegram
 *   has returned from `offset` on (getUpdates returns them all from its offset, in order, so no
 *   id between two known ones is missing);
 * - an id is added once; `handled` ids beyond a gap stay in the window (marked) until the gap
 *   closes, so a getUpdates that returns them again does not hand them out twice.
 * Pure bookkeeping: no I/O, no timers.
 */
import type { Update } from "grammy/types";

/** See the file comment. */
export class UpdateWindow {
  /** One past the last update of the handled prefix: the offset to send to getUpdates. */
  offset = 0;
  /** Window ids in ascending order, with whether each was handled. */
  private readonly ids: number[] = [];
  private readonly handled = new Map<number, boolean>();

  /** Updates in the window (fetched, not yet confirmable). */
  get size(): number {
    return this.ids.length;
  }

  /**
   * Takes what a getUpdates returned; resolves the updates seen for the first time (to be
   * handled), in Telegram's order. Updates below the offset or already in the window are skipped.
   */
  add(updates: readonly Update[]): Update[] {
    const fresh: Update[] = [];
    for (const u of updates) {
      const id = u.update_id;
      if (id < this.offset || this.handled.has(id)) continue;
      this.handled.set(id, false);
      if (this.ids.length > 0 && id < this.ids[this.ids.length - 1]!) {
        // Not expected from Telegram; kept correct all the same.
        this.ids.push(id);
        this.ids.sort((a, b) => a - b);
      } else this.ids.push(id);
      fresh.push(u);
    }
    return fresh;
  }

  /** Marks an update handled and moves the offset over the handled prefix; resolves whether it moved. */
  done(id: number): boolean {
    if (!this.handled.has(id)) return false;
    this.handled.set(id, true);
    let moved = false;
    while (this.ids.length > 0 && this.handled.get(this.ids[0]!) === true) {
      const first = this.ids.shift()!;
      this.handled.delete(first);
      this.offset = first + 1;
      moved = true;
    }
    return moved;
  }

  /** Forgets every update not handled (a stop: Telegram delivers them again), keeping the offset. */
  reset(): void {
    this.ids.length = 0;
    this.handled.clear();
  }
}
