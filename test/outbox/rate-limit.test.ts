import { describe, expect, it } from "vitest";
import { WindowLimiter } from "../../src/outbox/rate-limit.js";
import { maxInWindow } from "./fakes.js";

describe("WindowLimiter", () => {
  it("allows `count` events per window per key, then waits for the oldest to leave", () => {
    const l = new WindowLimiter({ count: 3, perMs: 1000 });
    expect(l.readyAt("a", 0)).toBe(0);
    l.take("a", 0);
    l.take("a", 100);
    l.take("a", 200);
    expect(l.readyAt("a", 300)).toBe(1000);
    expect(l.readyAt("b", 300)).toBe(300);
    l.take("a", 1000);
    expect(l.readyAt("a", 1000)).toBe(1100);
  });

  it("smooth: spreads events perMs/count apart", () => {
    const l = new WindowLimiter({ count: 30, perMs: 1000 }, true);
    let t = 0;
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      t = l.readyAt("*", t);
      l.take("*", t);
      times.push(t);
    }
    expect(times.every(Number.isInteger)).toBe(true);
    expect(Math.abs((times[99]! - times[0]!) / 99 - 1000 / 30)).toBeLessThan(0.05); // no drift
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(33);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(30);
  });

  it("never exceeds the rate whatever the arrival pattern", () => {
    const l = new WindowLimiter({ count: 20, perMs: 60_000 });
    const taken: number[] = [];
    let now = 0;
    for (let i = 0; i < 500; i++) {
      now += (i * 7919) % 5000; // irregular arrivals
      const t = l.readyAt("g", now);
      l.take("g", t);
      taken.push(t);
      now = Math.max(now, t);
    }
    expect(maxInWindow(taken, 60_000)).toBeLessThanOrEqual(20);
  });

  it("lists blocked keys and forgets old ones", () => {
    const l = new WindowLimiter({ count: 1, perMs: 1000 });
    l.take("x", 0);
    l.take("y", 500);
    expect([...l.blocked(600).entries()]).toEqual([
      ["x", 1000],
      ["y", 1500],
    ]);
    l.prune(5000);
    expect(l.size).toBe(0);
  });

  it("perMs 0 means unlimited", () => {
    const l = new WindowLimiter({ count: 1, perMs: 0 });
    l.take("a", 5);
    expect(l.readyAt("a", 5)).toBe(5);
  });
});
