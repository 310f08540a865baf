/**
 * The order test files start in: vitest's own (longest first when it has timings from an earlier
 * run, else largest file first), except that the files which mostly wait — for a lease to end, a
 * leadership retry, a paused process — are spread over the start of the run, one in every
 * `maxWorkers` files. Left to the size order they start last (they are short files) and the run ends
 * with workers waiting on them while the CPU idles; spread, each waits while the other workers
 * compute, and no two start at once.
 */
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Path prefixes (from the repository root) of the test files that spend most of their time waiting. */
export const WAITING_FILES: readonly string[] = ["test/faults/", "test/store/lock.test.ts"];

/** vitest's sequencer with the waiting files spread over the start (see the file comment). */
export class WaitingSpreadSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const waits = (f: TestSpecification) => WAITING_FILES.some((p) => relative(root, f.moduleId).startsWith(p));
    const waiting = sorted.filter(waits);
    const rest = sorted.filter((f) => !waits(f));
    const every = Math.max(1, this.ctx.config.maxWorkers ?? 1);
    const out: TestSpecification[] = [];
    while (waiting.length > 0 || rest.length > 0) {
      if (waiting.length > 0) out.push(waiting.shift()!);
      out.push(...rest.splice(0, every - 1));
    }
    return out;
  }
}
