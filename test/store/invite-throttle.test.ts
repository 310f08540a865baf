/** The wrong-code wait as data: failure times (minutes) and a check time → the wait's end, or none. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/database.js";
import { clearInviteFailures, inviteWaitUntil, recordInviteFailure } from "../../src/store/invite-throttle.js";
import { freshStore } from "../helpers/db.js";

const T0 = Date.UTC(2024, 4, 10, 2, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** [what, wrong codes at these minutes, checked at this minute, waits until this minute or null]. */
const CASES: Array<[string, number[], number, number | null]> = [
  ["no wrong code", [], 0, null],
  ["four wrong codes", [0, 1, 2, 3], 4, null],
  ["five within ten minutes", [0, 1, 2, 3, 4], 5, 19],
  ["five exactly ten minutes apart", [0, 2, 4, 6, 10], 11, 25],
  ["five over eleven minutes", [0, 3, 6, 9, 11], 12, null],
  ["the wait is over", [0, 1, 2, 3, 4], 19, null],
  ["six in a row: the wait runs from the last", [0, 1, 2, 3, 4, 5], 6, 20],
  ["an old burst long past", [0, 1, 2, 3, 4, 40], 41, null],
];

let store: Store;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ store, cleanup } = await freshStore("pglite"));
});
afterAll(async () => cleanup?.());

describe("inviteWaitUntil", () => {
  it.each(CASES.map((c, i) => [...c, i + 1] as const))("%s", async (_what, failures, check, until, personId) => {
    for (const m of failures) await recordInviteFailure(store, personId, at(m));
    expect(await inviteWaitUntil(store, personId, at(check))).toEqual(until === null ? null : at(until));
  });

  it("a right code clears the wrong ones", async () => {
    for (const m of [0, 1, 2, 3, 4]) await recordInviteFailure(store, 100, at(m));
    await clearInviteFailures(store, 100);
    expect(await inviteWaitUntil(store, 100, at(5))).toBeNull();
  });
});
