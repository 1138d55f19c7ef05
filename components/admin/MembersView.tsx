'use client';

import { useState } from 'react';
import { PERSONA_LABELS, PERSONAS, isPersona, type Persona } from '@/lib/account/personas';
import { ApiError, errorMessage, useMe } from '../api';
import { Avatar } from '../Avatar';
import { useCreateInvite, useMembers, useRemoveMember, useUpdateMember, type CreatedInvite, type Member } from '../account/useAccount';
import { usePersonaView } from '../persona/PersonaPreview';

const expiry = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function RemoveMember({ member }: { member: Member }) {
  const remove = useRemoveMember();
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="button button-small" data-testid="member-remove" onClick={() => setConfirming(true)}>
        Remove
      </button>
    );
  }
  return (
    <span className="member-remove-confirm" role="group" aria-label={`Remove ${member.name}?`}>
      <span className="knowledge-hint">Remove {member.name}? Their open documents close at once.</span>
      <button type="button" className="button button-small button-danger" data-testid="member-remove-confirm" disabled={remove.isPending} onClick={() => remove.mutate(member.id)}>
        {remove.isPending ? 'Removing…' : 'Remove'}
      </button>
      <button type="button" className="button button-small" disabled={remove.isPending} onClick={() => setConfirming(false)}>
        Cancel
      </button>
      {remove.isError ? (
        <span className="inline-error" role="alert">
          {errorMessage(remove.error)}
        </span>
      ) : null}
    </span>
  );
}

function MemberRow({ member, isSelf }: { member: Member; isSelf: boolean }) {
  const update = useUpdateMember();
  return (
    <li className="member-row" data-testid="member-row" data-member-id={member.id}>
      <Avatar name={member.name} color={member.color} size={28} />
      <span className="member-name">
        <span>
          {member.name}
          {isSelf ? <span className="knowledge-hint"> (you)</span> : null}
        </span>
        {member.email ? <span className="member-email">{member.email}</span> : null}
      </span>
      <label className="member-field">
        <span className="visually-hidden">Persona of {member.name}</span>
        <select
          value={member.persona}
          data-testid="member-persona"
          disabled={update.isPending}
          onChange={(event) => {
            if (isPersona(event.target.value)) update.mutate({ id: member.id, persona: event.target.value });
          }}
        >
          {PERSONAS.map((persona) => (
            <option key={persona} value={persona}>
              {PERSONA_LABELS[persona]}
            </option>
          ))}
        </select>
      </label>
      <label className="member-field member-admin">
        <input
          type="checkbox"
          checked={member.isAdmin}
          disabled={update.isPending || (isSelf && member.isAdmin)}
          title={isSelf && member.isAdmin ? 'You cannot remove your own admin rights.' : undefined}
          onChange={(event) => update.mutate({ id: member.id, isAdmin: event.target.checked })}
        />
        Admin
      </label>
      {isSelf ? null : <RemoveMember member={member} />}
      {update.isPending ? <span className="knowledge-hint">Saving…</span> : null}
      {update.isError ? (
        <span className="inline-error" role="alert">
          {errorMessage(update.error)}
        </span>
      ) : null}
    </li>
  );
}

function CopyButton({ text }: { text: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
    window.setTimeout(() => setState('idle'), 2000);
  };
  return (
    <button type="button" className="button" data-testid="copy-invite" onClick={() => void copy()} aria-live="polite">
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy the link' : 'Copy link'}
    </button>
  );
}

/**
 * The link on this page's origin: the server builds it from its own idea of its address, which
 * behind a proxy or a custom server (localhost:3000) is not the address people use.
 */
function linkOnThisOrigin(url: string): string {
  try {
    const parsed = new URL(url, window.location.origin);
    return new URL(parsed.pathname, window.location.origin).toString();
  } catch {
    return url;
  }
}

function InviteCreator() {
  const [persona, setPersona] = useState<Persona>('developer');
  const [isAdmin, setIsAdmin] = useState(false);
  const [created, setCreated] = useState<CreatedInvite | null>(null);
  const createInvite = useCreateInvite();
  return (
    <section className="invite-creator" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <p className="knowledge-hint">A link for one person, valid for 7 days. They sign in or create an account, then join with this persona.</p>
      <form
        className="invite-form"
        onSubmit={(event) => {
          event.preventDefault();
          createInvite.mutate({ persona, isAdmin }, { onSuccess: (invite) => setCreated({ ...invite, url: linkOnThisOrigin(invite.url) }) });
        }}
      >
        <label className="member-field">
          Persona{' '}
          <select
            value={persona}
            data-testid="invite-persona-select"
            onChange={(event) => {
              if (isPersona(event.target.value)) setPersona(event.target.value);
            }}
          >
            {PERSONAS.map((p) => (
              <option key={p} value={p}>
                {PERSONA_LABELS[p]}
              </option>
            ))}
          </select>
        </label>
        <label className="member-field member-admin">
          <input type="checkbox" checked={isAdmin} onChange={(event) => setIsAdmin(event.target.checked)} />
          Admin
        </label>
        <button type="submit" className="button button-primary" data-testid="create-invite" disabled={createInvite.isPending}>
          {createInvite.isPending ? 'Creating…' : 'Create invite link'}
        </button>
      </form>
      {createInvite.isError ? (
        <p className="notice notice-error" role="alert">
          Could not create the link: {errorMessage(createInvite.error)}
        </p>
      ) : null}
      {created ? (
        <div className="invite-result" data-testid="invite-result">
          <input readOnly value={created.url} data-testid="invite-url" aria-label="Invite link" onFocus={(event) => event.target.select()} />
          <CopyButton text={created.url} />
          <p className="knowledge-hint">
            For a {PERSONA_LABELS[created.persona].toLowerCase()}; expires {expiry.format(new Date(created.expiresAt))}. It is shown only now.
          </p>
        </div>
      ) : null}
    </section>
  );
}

/** Admins: the organisation's members with their personas, and invite links. */
export function MembersView() {
  const { isAdmin } = usePersonaView();
  const me = useMe();
  const members = useMembers();

  if (me.data && !isAdmin) {
    return (
      <main className="page">
        <div className="empty-state" data-testid="admin-only">
          <p className="empty-state-title">Admins only</p>
          <p>Ask an admin of {me.data.tenant?.name ?? 'your organisation'} to change personas or invite people.</p>
        </div>
      </main>
    );
  }

  return (
    <main className="page" data-testid="members-page">
      <div className="page-heading">
        <h1>Members</h1>
      </div>
      <InviteCreator />
      <section aria-labelledby="members-heading">
        <h2 id="members-heading">People in {me.data?.tenant?.name ?? 'this organisation'}</h2>
        {members.isPending ? (
          <div aria-busy="true" aria-label="Loading members" className="knowledge-skeleton">
            <span className="skeleton-line" style={{ width: '60%' }} />
            <span className="skeleton-line" style={{ width: '50%' }} />
          </div>
        ) : members.isError ? (
          <div className="notice notice-error" role="alert">
            <p>
              {members.error instanceof ApiError && members.error.status === 403
                ? members.error.message
                : `Could not load the members: ${errorMessage(members.error)}`}
            </p>
            <button type="button" className="button" onClick={() => void members.refetch()}>
              Try again
            </button>
          </div>
        ) : (
          <ul className="member-list">
            {members.data.map((member) => (
              <MemberRow key={member.id} member={member} isSelf={member.id === me.data?.user?.id} />
            ))}
          </ul>
        )}
      </section>
    </main>
  );
}
