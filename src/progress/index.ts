/** /tiendo from the store: see load.ts. */
export { defaultProgressForm, loadProgress, NoProgressFormError, progressText, unitPath, type LoadProgressOptions } from "./load.js";
export { progressCache } from "./cache.js";
