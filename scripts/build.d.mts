/** Types of build.mjs (for test/global-setup.ts). */
/** Every non-test TypeScript file under src/. */
export function sources(dir?: string): string[];
/** Compiles src/ into `outdir` (default dist/), removing what was there; returns the folder. */
export function build(outdir?: string): Promise<string>;
