'use client';

import type { CollabConnection, ConnectionKind } from './useCollabConnection';

const LABELS: Record<ConnectionKind, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  offline: 'Offline',
  closed: 'Disconnected',
};

export function ConnectionStatus({ connection }: { connection: CollabConnection }) {
  const { kind, synced, message } = connection;
  const label = kind === 'connected' && !synced ? 'Syncing…' : LABELS[kind];
  return (
    <div
      className={`connection-status is-${kind}`}
      data-testid="connection-status"
      data-state={kind}
      data-synced={synced ? 'true' : 'false'}
      role="status"
      aria-live="polite"
      title={message ?? label}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-label">{label}</span>
      {message && kind !== 'connected' ? <span className="connection-message">{message}</span> : null}
    </div>
  );
}
