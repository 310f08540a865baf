/**
 * In-process wake-ups of the photo downloader: a photo recorded in an update's transaction wakes
 * it once that transaction has committed (other instances find the row at their next poll).
 */
const listeners = new Set<() => void>();

/** Registers a listener; returns the function that removes it. */
export function onPhotoRecorded(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Tells the listeners that a photo waits for its download. */
export function notifyPhotoRecorded(): void {
  for (const fn of listeners) fn();
}
