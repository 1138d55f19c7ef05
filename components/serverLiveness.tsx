'use client';

/**
 * Whether the server answers, so the page never says "Up to date" while it does not. Two sources:
 * API requests (react-query) waiting STALL_MS for an answer, and each open collaboration
 * websocket, whose editor reports when its server stopped answering (editor/useSocketLiveness.ts).
 */
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';

/** Unanswered this long, a request or a probe counts as stalled: the page says so within 5 s. */
export const STALL_MS = 3_000;
const CHECK_MS = 500;

export interface ServerLiveness {
  /** An API request has waited STALL_MS or more for its answer. */
  requestsStalled: boolean;
  /** A collaboration websocket is open but its server has not answered for STALL_MS. */
  socketStalled: boolean;
}

const RESPONSIVE: ServerLiveness = { requestsStalled: false, socketStalled: false };

class LivenessStore {
  private snapshot = RESPONSIVE;
  private requestsStalled = false;
  private readonly stalledSockets = new Set<symbol>();
  private readonly listeners = new Set<() => void>();

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  setRequestsStalled(stalled: boolean): void {
    this.requestsStalled = stalled;
    this.update();
  }

  setSocketStalled(socket: symbol, stalled: boolean): void {
    if (stalled) this.stalledSockets.add(socket);
    else this.stalledSockets.delete(socket);
    this.update();
  }

  private update(): void {
    const next = { requestsStalled: this.requestsStalled, socketStalled: this.stalledSockets.size > 0 };
    if (next.requestsStalled === this.snapshot.requestsStalled && next.socketStalled === this.snapshot.socketStalled) return;
    this.snapshot = next;
    for (const listener of this.listeners) listener();
  }
}

const LivenessContext = createContext<LivenessStore | null>(null);

/**
 * Watches the page's API requests: a fetch or mutation still waiting after STALL_MS marks the
 * server as slow until none is. Polled twice a second, as react-query does not time a fetch.
 */
export function ServerLivenessProvider({ children }: { children: ReactNode }) {
  const [store] = useState(() => new LivenessStore());
  const queryClient = useQueryClient();

  useEffect(() => {
    // When each query's fetch was first seen in flight (react-query keeps no start time).
    const fetchingSince = new Map<string, number>();
    const check = () => {
      const now = Date.now();
      const fetching = new Set<string>();
      for (const query of queryClient.getQueryCache().getAll()) {
        if (query.state.fetchStatus !== 'fetching') continue;
        fetching.add(query.queryHash);
        if (!fetchingSince.has(query.queryHash)) fetchingSince.set(query.queryHash, now);
      }
      for (const hash of fetchingSince.keys()) if (!fetching.has(hash)) fetchingSince.delete(hash);
      const oldestFetch = Math.min(now, ...fetchingSince.values());
      const oldestMutation = Math.min(
        now,
        ...queryClient
          .getMutationCache()
          .getAll()
          .filter((mutation) => mutation.state.status === 'pending' && !mutation.state.isPaused && mutation.state.submittedAt > 0)
          .map((mutation) => mutation.state.submittedAt),
      );
      store.setRequestsStalled(now - Math.min(oldestFetch, oldestMutation) >= STALL_MS);
    };
    const timer = window.setInterval(check, CHECK_MS);
    return () => window.clearInterval(timer);
  }, [queryClient, store]);

  return <LivenessContext.Provider value={store}>{children}</LivenessContext.Provider>;
}

function useLivenessStore(): LivenessStore | null {
  return useContext(LivenessContext);
}

/** The server's liveness as this page sees it; always responsive outside the provider. */
export function useServerLiveness(): ServerLiveness {
  const store = useLivenessStore();
  return useSyncExternalStore(
    store?.subscribe ?? noSubscription,
    store?.getSnapshot ?? responsive,
    responsive,
  );
}

/** An editor's report of its websocket: stalled while `stalled`, forgotten when it unmounts. */
export function useReportSocketStall(stalled: boolean): void {
  const store = useLivenessStore();
  const [socket] = useState(() => Symbol('collaboration socket'));
  useEffect(() => {
    store?.setSocketStalled(socket, stalled);
  }, [store, socket, stalled]);
  useEffect(() => () => store?.setSocketStalled(socket, false), [store, socket]);
}

/** In words, or null when the server answers. */
export function livenessLabel(liveness: ServerLiveness): string | null {
  if (liveness.socketStalled) return 'Server not responding';
  if (liveness.requestsStalled) return 'Server slow to answer';
  return null;
}

const noSubscription = () => () => {};
const responsive = () => RESPONSIVE;
