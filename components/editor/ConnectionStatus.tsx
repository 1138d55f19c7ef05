'use client';

import { useServerLiveness } from '../serverLiveness';
import type { CollabConnection, ConnectionKind } from './useCollabConnection';
import type { SocketLiveness } from './useSocketLiveness';

const LABELS: Record<ConnectionKind, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  offline: 'Offline',
  closed: 'Disconnected',
};

/**
 * The connection in words. An open socket is not enough to say "Connected": when the server
 * stops answering (its probe, or the page's API requests), the label says so, and whether
 * edits are waiting for it.
 */
export function ConnectionStatus({ connection, socket }: { connection: CollabConnection; socket: SocketLiveness }) {
  const { kind, synced, message } = connection;
  const server = useServerLiveness();
  const connected = kind === 'connected';
  const stalled = connected && socket.stalled;
  const slow = connected && !stalled && server.requestsStalled;
  const liveness = stalled ? 'stalled' : slow ? 'slow' : 'ok';
  let label = connected && !synced ? 'Syncing…' : LABELS[kind];
  if (stalled) label = socket.unacknowledged ? 'Saving… (server not responding)' : 'Server not responding';
  else if (slow) label = socket.unacknowledged ? 'Saving… (server slow)' : 'Connected · server slow';
  return (
    <div
      className={`connection-status is-${kind}${liveness === 'ok' ? '' : ` is-${liveness}`}`}
      data-testid="connection-status"
      data-state={kind}
      data-synced={synced ? 'true' : 'false'}
      data-liveness={liveness}
      role="status"
      aria-live="polite"
      title={stalled ? 'The server has not answered for a few seconds. Your changes are kept here and sent when it does.' : (message ?? label)}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-label">{label}</span>
      {message && kind !== 'connected' ? <span className="connection-message">{message}</span> : null}
    </div>
  );
}
