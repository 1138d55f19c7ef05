/**
 * The y-websocket wire format, as y-websocket's WebsocketProvider speaks it.
 *
 *   message   = varUint(type) payload
 *   type 0    = sync:      varUint(step) varUint8Array(data)
 *                 step 0  SyncStep1  data = state vector       -> server answers SyncStep2
 *                 step 1  SyncStep2  data = update (missing)   -> applied
 *                 step 2  Update     data = update             -> applied, broadcast
 *   type 1    = awareness: varUint8Array(awareness update)
 *   type 3    = query awareness (no payload)                   -> server sends all states
 *
 * On connect the server sends SyncStep1 and the current awareness states. Every read here
 * throws on truncated or malformed input; the caller closes that one connection.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as awarenessProtocol from 'y-protocols/awareness';

export const MessageType = { Sync: 0, Awareness: 1, Auth: 2, QueryAwareness: 3 } as const;
export const SyncStep = { One: 0, Two: 1, Update: 2 } as const;

export type Incoming =
  | { type: 'sync-step-1'; stateVector: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' };

export class MalformedMessage extends Error {}

export function readMessage(data: Uint8Array): Incoming {
  try {
    const decoder = decoding.createDecoder(data);
    const type = decoding.readVarUint(decoder);
    let message: Incoming;
    if (type === MessageType.Sync) {
      const step = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (step === SyncStep.One) message = { type: 'sync-step-1', stateVector: payload };
      else if (step === SyncStep.Two || step === SyncStep.Update) message = { type: 'update', update: payload };
      else throw new MalformedMessage(`unknown sync step ${step}`);
      if (message.type === 'update') Y.decodeUpdate(payload); // validates structure before it touches the doc
      else Y.decodeStateVector(payload);
    } else if (type === MessageType.Awareness) {
      message = { type: 'awareness', update: decoding.readVarUint8Array(decoder) };
    } else if (type === MessageType.QueryAwareness) {
      message = { type: 'query-awareness' };
    } else {
      throw new MalformedMessage(`unknown message type ${type}`);
    }
    if (decoding.hasContent(decoder)) throw new MalformedMessage('trailing bytes after message');
    return message;
  } catch (error) {
    if (error instanceof MalformedMessage) throw error;
    throw new MalformedMessage(error instanceof Error ? error.message : 'unreadable message');
  }
}

/**
 * The awareness update without the entries for client ids `mayWrite` refuses (ids another
 * connection controls): a connection sets only its own presence. Null when nothing is left.
 *   awareness update = varUint(n) n × (varUint(clientId) varUint(clock) varString(state json))
 */
export function ownAwarenessOnly(update: Uint8Array, mayWrite: (clientId: number) => boolean): Uint8Array | null {
  try {
    const decoder = decoding.createDecoder(update);
    const entries: Array<[number, number, string]> = [];
    for (let n = decoding.readVarUint(decoder); n > 0; n--) {
      entries.push([decoding.readVarUint(decoder), decoding.readVarUint(decoder), decoding.readVarString(decoder)]);
    }
    const kept = entries.filter(([clientId]) => mayWrite(clientId));
    if (kept.length === entries.length) return update;
    if (kept.length === 0) return null;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, kept.length);
    for (const [clientId, clock, state] of kept) {
      encoding.writeVarUint(encoder, clientId);
      encoding.writeVarUint(encoder, clock);
      encoding.writeVarString(encoder, state);
    }
    return encoding.toUint8Array(encoder);
  } catch (error) {
    throw new MalformedMessage(error instanceof Error ? error.message : 'unreadable awareness update');
  }
}

export function syncStep1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.Sync);
  encoding.writeVarUint(encoder, SyncStep.One);
  encoding.writeVarUint8Array(encoder, Y.encodeStateVector(doc));
  return encoding.toUint8Array(encoder);
}

export function syncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.Sync);
  encoding.writeVarUint(encoder, SyncStep.Two);
  encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(doc, stateVector));
  return encoding.toUint8Array(encoder);
}

export function updateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.Sync);
  encoding.writeVarUint(encoder, SyncStep.Update);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function awarenessMessage(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.Awareness);
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  return encoding.toUint8Array(encoder);
}
