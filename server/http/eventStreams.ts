/**
 * The server-sent event streams open in this process, per account: at most MAX_STREAMS_PER_ACCOUNT
 * at once (the next is refused with 429), and closed as soon as `access.changed` says the
 * session ended or the membership changed (removed, moved, new persona or admin flag). A closed
 * stream's EventSource reconnects by itself and is let in again only if it still may be.
 */
import { resolveSession, type SessionIdentity } from '../auth/accounts';
import type { AccessChangedEvent } from '../bus';
import { services } from '../services';
import { HttpError } from './errors';

export const MAX_STREAMS_PER_ACCOUNT = 10;

interface OpenStream {
  accountId: string;
  userId: string;
  /** The cookie's token, to identify the stream again. */
  token: string;
  /** What the membership was when the stream opened; any change closes it. */
  membership: string;
  close(): void;
}

interface Member {
  accountId: string;
  tenantId: string;
  userId: string;
  persona: string;
  isAdmin: boolean;
}

const membershipKey = (m: Omit<Member, 'accountId'> | null) => (m ? `${m.tenantId}:${m.userId}:${m.persona}:${m.isAdmin}` : '');
const membershipOf = (session: SessionIdentity) => membershipKey(session.membership);

class EventStreams {
  private readonly open = new Set<OpenStream>();
  private unsubscribe: (() => void) | null = null;

  /** Counts a new stream; throws 429 over the account's limit. Returns the function that releases it. */
  add(member: Member, token: string, close: () => void): () => void {
    const { accountId } = member;
    const mine = [...this.open].filter((s) => s.accountId === accountId).length;
    if (mine >= MAX_STREAMS_PER_ACCOUNT) {
      throw new HttpError(
        429,
        'too_many_streams',
        `You have ${MAX_STREAMS_PER_ACCOUNT} live document panels open already. Close a tab or two and reload this one.`,
      );
    }
    const stream: OpenStream = { accountId, userId: member.userId, token, membership: membershipKey(member), close };
    this.open.add(stream);
    this.unsubscribe ??= services().bus.subscribe((event) => {
      if (event.type === 'access.changed') void this.recheck(event);
    });
    return () => {
      this.open.delete(stream);
    };
  }

  private async recheck(event: AccessChangedEvent): Promise<void> {
    const affected = [...this.open].filter((s) => s.userId === event.userId || (event.accountId !== undefined && s.accountId === event.accountId));
    for (const stream of affected) {
      const session = await resolveSession(services().db, stream.token).catch(() => null);
      if (session && membershipOf(session) === stream.membership) continue;
      this.open.delete(stream);
      stream.close();
    }
  }
}

declare global {
  var __knowledgeOsEventStreams: EventStreams | undefined;
}

/** One registry per process (route bundles share it through globalThis, like services()). */
export function eventStreams(): EventStreams {
  globalThis.__knowledgeOsEventStreams ??= new EventStreams();
  return globalThis.__knowledgeOsEventStreams;
}
