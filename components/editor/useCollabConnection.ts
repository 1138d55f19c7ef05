/**
 * What the person should be told about the collaboration connection, derived from the
 * WebsocketProvider's events and the browser's online state. Fatal close codes stop reconnecting.
 */
import { useEffect, useState } from 'react';
import type { WebsocketProvider } from 'y-websocket';
import { CLOSE_REASONS, FATAL_CLOSE_CODES } from '@/lib/collab/closeCodes';

export type ConnectionKind = 'connecting' | 'connected' | 'offline' | 'closed';

export interface CollabConnection {
  kind: ConnectionKind;
  /** In sync with the server right now. */
  synced: boolean;
  /** Was in sync at least once: the editor shows real content. */
  hasSynced: boolean;
  /** A sentence for the person when something is wrong, else null. */
  message: string | null;
  closeCode: number | null;
}

interface ConnectionFacts {
  status: 'connecting' | 'connected' | 'disconnected';
  synced: boolean;
  hasSynced: boolean;
  online: boolean;
  failures: number;
  lastClose: { code: number; message: string | null } | null;
  fatal: { code: number; message: string } | null;
}

function initialFacts(provider: WebsocketProvider): ConnectionFacts {
  return {
    status: provider.wsconnected ? 'connected' : provider.wsconnecting ? 'connecting' : 'disconnected',
    synced: provider.synced,
    hasSynced: provider.synced,
    online: typeof navigator === 'undefined' ? true : navigator.onLine,
    failures: 0,
    lastClose: null,
    fatal: null,
  };
}

function closeReason(event: CloseEvent): string {
  return CLOSE_REASONS[event.code] ?? (event.reason.trim() || 'The collaboration server closed the connection.');
}

export function describeConnection(facts: ConnectionFacts): CollabConnection {
  const base = { synced: facts.synced, hasSynced: facts.hasSynced };
  if (facts.fatal) {
    return { ...base, kind: 'closed', message: facts.fatal.message, closeCode: facts.fatal.code };
  }
  if (facts.status === 'connected') {
    return { ...base, kind: 'connected', message: null, closeCode: null };
  }
  const closeCode = facts.lastClose?.code ?? null;
  if (!facts.online) {
    return { ...base, kind: 'offline', message: 'You are offline. Your changes will sync when you reconnect.', closeCode };
  }
  if (facts.failures > 0) {
    const message = facts.lastClose?.message ?? 'Cannot reach the collaboration server. Retrying…';
    return { ...base, kind: 'offline', message, closeCode };
  }
  return { ...base, kind: 'connecting', message: null, closeCode };
}

export function useCollabConnection(provider: WebsocketProvider): CollabConnection {
  const [facts, setFacts] = useState<ConnectionFacts>(() => initialFacts(provider));

  useEffect(() => {
    const onStatus = ({ status }: { status: ConnectionFacts['status'] }) =>
      setFacts((current) => ({ ...current, status }));

    const onClose = (event: CloseEvent | null) => {
      // null: closed locally (destroy, or y-websocket's silence watchdog) — it reconnects itself.
      if (event === null) {
        setFacts((current) => ({ ...current, failures: current.failures + 1 }));
        return;
      }
      if (FATAL_CLOSE_CODES.has(event.code)) {
        provider.shouldConnect = false;
        setFacts((current) => ({ ...current, fatal: { code: event.code, message: closeReason(event) } }));
        return;
      }
      const message = CLOSE_REASONS[event.code] ?? null;
      // Failed reconnects (1006) carry no reason; keep the last one that did ("server restarting").
      setFacts((current) => ({
        ...current,
        failures: current.failures + 1,
        lastClose: message === null && current.lastClose?.message ? current.lastClose : { code: event.code, message },
      }));
    };

    const onSync = (synced: boolean) =>
      setFacts((current) =>
        synced
          ? { ...current, synced: true, hasSynced: true, failures: 0, lastClose: null }
          : { ...current, synced: false },
      );

    const onOnline = () => setFacts((current) => ({ ...current, online: true }));
    const onOffline = () => setFacts((current) => ({ ...current, online: false }));

    provider.on('status', onStatus);
    provider.on('connection-close', onClose);
    provider.on('sync', onSync);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    // Events may have fired between the provider's creation and this subscription.
    setFacts((current) => ({ ...current, ...initialFacts(provider), hasSynced: current.hasSynced || provider.synced }));

    return () => {
      provider.off('status', onStatus);
      provider.off('connection-close', onClose);
      provider.off('sync', onSync);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
    };
  }, [provider]);

  return describeConnection(facts);
}
