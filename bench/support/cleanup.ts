/** Cleanups to run if the bench is interrupted (Ctrl-C, SIGTERM, overall timeout). */
const handlers = new Set<() => Promise<void>>();

/** Registers a cleanup; returns a function that unregisters it. */
export function onInterrupt(handler: () => Promise<void>): () => void {
  handlers.add(handler);
  return () => handlers.delete(handler);
}

export async function runInterruptHandlers(): Promise<void> {
  const pending = [...handlers];
  handlers.clear();
  await Promise.allSettled(pending.map((handler) => handler()));
}
