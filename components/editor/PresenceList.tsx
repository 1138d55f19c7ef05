'use client';

import { useEffect, useState } from 'react';
import type { WebsocketProvider } from 'y-websocket';
import { z } from 'zod';
import { Avatar } from '../Avatar';

export interface PresentUser {
  clientId: number;
  name: string;
  color: string;
  isSelf: boolean;
}

// Awareness states come from other browsers: trust nothing about their shape.
const awarenessUserSchema = z.object({
  name: z.string().trim().min(1).max(64),
  color: z.string().regex(/^#[0-9a-f]{3,8}$/i),
});

const MAX_VISIBLE = 6;

function readPresence(provider: WebsocketProvider): PresentUser[] {
  const self = provider.awareness.clientID;
  const users: PresentUser[] = [];
  provider.awareness.getStates().forEach((state, clientId) => {
    const parsed = awarenessUserSchema.safeParse(state.user);
    if (!parsed.success) return;
    users.push({ clientId, ...parsed.data, isSelf: clientId === self });
  });
  return users.sort((a, b) => Number(b.isSelf) - Number(a.isSelf) || a.name.localeCompare(b.name));
}

export function usePresence(provider: WebsocketProvider): PresentUser[] {
  const [users, setUsers] = useState<PresentUser[]>(() => readPresence(provider));
  useEffect(() => {
    const onChange = () => setUsers(readPresence(provider));
    provider.awareness.on('change', onChange);
    onChange();
    return () => provider.awareness.off('change', onChange);
  }, [provider]);
  return users;
}

export function PresenceList({ provider }: { provider: WebsocketProvider }) {
  const users = usePresence(provider);
  const visible = users.slice(0, MAX_VISIBLE);
  const hidden = users.length - visible.length;
  const names = users.map((user) => (user.isSelf ? `${user.name} (you)` : user.name)).join(', ');
  return (
    <div className="presence" data-testid="presence" data-count={users.length} aria-label={`Here now: ${names}`}>
      {visible.map((user) => (
        <Avatar
          key={user.clientId}
          name={user.name}
          label={user.isSelf ? `${user.name} (you)` : user.name}
          color={user.color}
          className={user.isSelf ? 'is-self' : undefined}
          data-testid="presence-user"
          data-name={user.name}
          data-self={user.isSelf ? 'true' : 'false'}
        />
      ))}
      {hidden > 0 ? (
        <span className="avatar avatar-more" title={names}>
          +{hidden}
        </span>
      ) : null}
    </div>
  );
}
