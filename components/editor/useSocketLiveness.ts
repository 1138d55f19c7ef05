/**
 * Whether the collaboration server answers an open websocket. A frozen server keeps the socket
 * open (y-websocket only gives up after 30 s of silence), so the editor said "Connected" while
 * nothing answered. When the socket is quiet, or after a local edit, this sends a query-awareness
 * message, which the server answers at once and in order (after the edits sent before it); no
 * message for STALL_MS after such a probe means the server is not responding.
 */
import { useEffect, useState } from 'react';
import * as encoding from 'lib0/encoding';
import { messageQueryAwareness, type WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';
import { STALL_MS, useReportSocketStall } from '../serverLiveness';

/** Quiet this long, the socket is probed (the server sends nothing to an idle client). */
const QUIET_MS = 1_000;
const CHECK_MS = 250;

export interface SocketLiveness {
  /** The socket is open, but the server has not answered a probe for STALL_MS. */
  stalled: boolean;
  /** Local edits were sent that the server has not answered since. */
  unacknowledged: boolean;
}

const QUERY_AWARENESS = (() => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageQueryAwareness);
  return encoding.toUint8Array(encoder);
})();

export function useSocketLiveness(provider: WebsocketProvider, ydoc: Y.Doc): SocketLiveness {
  const [liveness, setLiveness] = useState<SocketLiveness>({ stalled: false, unacknowledged: false });

  useEffect(() => {
    // Local edits are counted; a probe's answer acknowledges the edits counted when it went out.
    let edits = 0;
    let acknowledged = 0;
    let probe: { at: number; edits: number } | null = null;

    const sendProbe = () => {
      const ws = provider.ws;
      if (!provider.wsconnected || !ws || ws.readyState !== ws.OPEN) return;
      probe = { at: Date.now(), edits };
      ws.send(QUERY_AWARENESS);
    };

    const show = (next: SocketLiveness) =>
      setLiveness((current) => (current.stalled === next.stalled && current.unacknowledged === next.unacknowledged ? current : next));

    const check = () => {
      if (!provider.wsconnected) {
        // The connection status says why; a new socket starts with a clean slate.
        probe = null;
        return show({ stalled: false, unacknowledged: false });
      }
      const now = Date.now();
      if (probe !== null && provider.wsLastMessageReceived >= probe.at) {
        acknowledged = probe.edits;
        probe = null;
      }
      if (probe === null && (edits > acknowledged || now - provider.wsLastMessageReceived >= QUIET_MS)) sendProbe();
      show({ stalled: probe !== null && now - probe.at >= STALL_MS, unacknowledged: edits > acknowledged });
    };

    const onUpdate = (_update: Uint8Array, origin: unknown) => {
      // The provider is the origin of what the server sent; only local edits wait for an answer.
      if (origin === provider) return;
      edits += 1;
      if (probe === null) sendProbe();
    };

    ydoc.on('update', onUpdate);
    const timer = window.setInterval(check, CHECK_MS);
    return () => {
      ydoc.off('update', onUpdate);
      window.clearInterval(timer);
    };
  }, [provider, ydoc]);

  useReportSocketStall(liveness.stalled);
  return liveness;
}
