import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    // Three workers on 2 cores: a good part of the suite waits (fault tests on leases and leadership
    // retries, child processes, the lock test's pause) and a third worker uses that idle CPU. On a
    // shared, noisy 2-core machine: 226–263 s with 3 workers, 240–316 s with 2, the same CPU time.
    // Store tests open PGlite (WASM, ~1 s and ~300 MB each): memory stays far below the machine's.
    maxWorkers: 3,
    // Test files share their worker's module graph (no test mocks modules or keeps state in one):
    // importing Prisma, grammY, exceljs… once per worker instead of once per file.
    isolate: false,
  },
});
