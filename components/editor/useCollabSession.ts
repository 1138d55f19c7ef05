/**
 * One Y.Doc + WebsocketProvider per open document, created in an effect (never during render)
 * and destroyed when the document changes or the page unmounts.
 */
import { useEffect, useState } from 'react';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { COLLAB_PATH, FATAL_CLOSE_CODES } from '@/lib/collab/closeCodes';

export interface CollabSession {
  /** Changes whenever a new doc/provider pair is made; use as a React key. */
  key: number;
  documentId: string;
  ydoc: Y.Doc;
  provider: WebsocketProvider;
}

/** The collaboration websocket lives on the same host and port as the pages. */
export function collabServerUrl(): string {
  const protocol = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${protocol}://${window.location.host}${COLLAB_PATH}`;
}

let sessionCount = 0;

export function useCollabSession(documentId: string): CollabSession | null {
  const [session, setSession] = useState<CollabSession | null>(null);

  useEffect(() => {
    const ydoc = new Y.Doc();
    const provider = new WebsocketProvider(collabServerUrl(), encodeURIComponent(documentId), ydoc, {
      // y-websocket gives up on every 44xx by default; only the codes we call fatal are final
      // (4400 "could not read" is worth one more try).
      shouldReconnect: (event) => !FATAL_CLOSE_CODES.has(event.code),
      // Every edit goes through the server, which checks permissions; no tab-to-tab side channel.
      disableBc: true,
    });
    sessionCount += 1;
    setSession({ key: sessionCount, documentId, ydoc, provider });
    return () => {
      provider.destroy();
      ydoc.destroy();
    };
  }, [documentId]);

  return session !== null && session.documentId === documentId ? session : null;
}
