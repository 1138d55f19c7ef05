/**
 * Whether an update would change a document. A reader's y-websocket client answers the server's
 * SyncStep1 with its own state, which includes every deletion it knows; that is not a change.
 */
import * as Y from 'yjs';

export function changesDocument(doc: Y.Doc, update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(Y.diffUpdate(update, Y.encodeStateVector(doc)));
  if (structs.length > 0) return true;
  if (ds.clients.size === 0) return false;
  const known = Y.createDeleteSetFromStructStore(doc.store);
  for (const [client, ranges] of ds.clients) {
    for (const { clock, len } of ranges) {
      for (let c = clock; c < clock + len; c++) if (!Y.isDeleted(known, { client, clock: c } as Y.ID)) return true;
    }
  }
  return false;
}
