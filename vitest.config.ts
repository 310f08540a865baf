import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    // Store tests open PGlite (WASM, ~1 s and ~300 MB each); keep parallelism modest on 2 cores.
    maxWorkers: 2,
    // Test files share their worker's module graph (no test mocks modules or keeps state in one):
    // importing Prisma, grammY, exceljs… once per worker instead of once per file.
    isolate: false,
  },
});
