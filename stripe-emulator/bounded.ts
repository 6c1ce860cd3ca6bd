/**
 * The demo runs the emulator inside Kairos for as long as the practice runs, so what it keeps for
 * every request must not grow without end: the newest entries are kept (Stripe itself keeps
 * events for 30 days and idempotency keys for 24 hours), the oldest forgotten.
 */
export const KEEP_EVENTS = 10_000;
export const KEEP_IDEMPOTENCY_KEYS = 10_000;
export const KEEP_DELIVERY_ATTEMPTS = 10_000;

/** Appends, then drops the oldest entries beyond `max`. */
export function pushBounded<T>(items: T[], item: T, max: number): void {
  items.push(item);
  if (items.length > max) items.splice(0, items.length - max);
}

/** Sets, then forgets the oldest keys (a Map iterates in insertion order) beyond `max`. */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= max) break;
    map.delete(oldest);
  }
}
