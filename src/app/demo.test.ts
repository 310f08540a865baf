import { describe, expect, it } from "vitest";
import { localInstant } from "../domain/periods.js";
import { parseLocalDateTime } from "../channels/local/terminal.js";
import { DemoClock, demoStart } from "./demo.js";

const plan = { start: "2023-02-14", end: "2025-12-31" };

describe("the local chat's demo clock", () => {
  it("keeps the real time inside the plan", () => {
    const now = localInstant(2024, 5, 10, 9, 0);
    expect(demoStart(plan, now)).toEqual(now);
  });

  it("moves a later date into the plan's last year, same day and time", () => {
    expect(demoStart(plan, localInstant(2026, 11, 29, 15, 40))).toEqual(localInstant(2025, 11, 29, 15, 40));
    expect(demoStart(plan, localInstant(2028, 2, 29, 8, 0))).toEqual(localInstant(2025, 2, 28, 8, 0));
  });

  it("moves an earlier date into the plan's first year, not before its start", () => {
    expect(demoStart(plan, localInstant(2022, 1, 5, 8, 0))).toEqual(localInstant(2023, 2, 14, 0, 0));
    expect(demoStart(plan, localInstant(2022, 6, 5, 8, 0))).toEqual(localInstant(2023, 6, 5, 8, 0));
  });

  it("ticks from where it was set", () => {
    let real = 1_000_000;
    const clock = new DemoClock(() => new Date(real));
    expect(clock.simulated).toBe(false);
    clock.set(localInstant(2024, 6, 18, 8, 0));
    real += 60_000;
    expect(clock.now()).toEqual(localInstant(2024, 6, 18, 8, 1));
    expect(clock.simulated).toBe(true);
  });

  it("reads :gio dates in local time and refuses impossible ones", () => {
    expect(parseLocalDateTime("18/06/2024 08:30")).toEqual(localInstant(2024, 6, 18, 8, 30));
    expect(parseLocalDateTime("5/1/2025")).toEqual(localInstant(2025, 1, 5, 9, 0));
    expect(parseLocalDateTime("31/04/2024")).toBeNull();
    expect(parseLocalDateTime("hom nay")).toBeNull();
  });
});
