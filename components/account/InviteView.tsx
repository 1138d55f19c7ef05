'use client';

import Link from 'next/link';
import { PERSONA_LABELS, PERSONA_VIEWS } from '@/lib/account/personas';
import { ApiError, errorMessage, useMe } from '../api';
import { useAcceptInvite, useInvite, useSignOut } from './useAccount';

/** An invite link: what it offers, then sign in or up (coming back here), then Join. */
export function InviteView({ token }: { token: string }) {
  const invite = useInvite(token);
  const me = useMe();
  const accept = useAcceptInvite(token);
  const signOut = useSignOut();
  const here = `/invite/${encodeURIComponent(token)}`;

  if (invite.isPending) {
    return (
      <main className="page page-auth" aria-busy="true">
        <span className="skeleton-line skeleton-heading" />
        <span className="skeleton-line" style={{ width: '70%' }} />
      </main>
    );
  }
  if (invite.isError) {
    const gone = invite.error instanceof ApiError && invite.error.status === 404;
    return (
      <main className="page page-auth">
        <div className="empty-state" data-testid="invite-not-found" role="alert">
          <p className="empty-state-title">{gone ? 'This invite cannot be used' : 'Could not open this invite'}</p>
          <p>{errorMessage(invite.error)}</p>
          {gone ? (
            <Link href="/" className="button">
              Go to Knowledge OS
            </Link>
          ) : (
            <button type="button" className="button" onClick={() => void invite.refetch()}>
              Try again
            </button>
          )}
        </div>
      </main>
    );
  }

  const { organisation, persona } = invite.data;
  const signedOut = me.error instanceof ApiError && me.error.status === 401;
  const alreadyMember = me.data?.organisations.some((o) => o.name === organisation) ?? false;

  return (
    <main className="page page-auth" data-testid="invite">
      <h1>Join {organisation}</h1>
      <p className="page-lede">
        You are invited to <strong data-testid="invite-organisation">{organisation}</strong> as a{' '}
        <strong data-testid="invite-persona">{PERSONA_LABELS[persona].toLowerCase()}</strong>. {PERSONA_VIEWS[persona]}
      </p>
      {me.isPending ? <p className="auth-hint">Checking whether you are signed in…</p> : null}
      {signedOut ? (
        <div className="invite-actions">
          <p>Sign in or create an account first; you come back here to join.</p>
          <Link href={`/signup?next=${encodeURIComponent(here)}`} className="button button-primary" data-testid="invite-sign-up">
            Create an account
          </Link>
          <Link href={`/signin?next=${encodeURIComponent(here)}`} className="button" data-testid="invite-sign-in">
            Sign in
          </Link>
        </div>
      ) : null}
      {me.isError && !signedOut ? (
        <p className="notice notice-error" role="alert">
          Could not check your account: {errorMessage(me.error)}
        </p>
      ) : null}
      {me.data ? (
        <div className="invite-actions">
          <p>
            Signed in as <strong>{me.data.account.name}</strong> ({me.data.account.email}).{' '}
            <button type="button" className="link-button" onClick={() => signOut.mutate()}>
              Not you? Sign out
            </button>
          </p>
          {alreadyMember ? <p className="auth-hint">You already belong to an organisation with this name.</p> : null}
          {accept.isError ? (
            <p className="notice notice-error" role="alert" data-testid="invite-error">
              {errorMessage(accept.error)}
            </p>
          ) : null}
          <button
            type="button"
            className="button button-primary"
            data-testid="invite-join"
            disabled={accept.isPending || accept.isSuccess}
            onClick={() => accept.mutate()}
          >
            {accept.isPending || accept.isSuccess ? 'Joining…' : `Join ${organisation}`}
          </button>
        </div>
      ) : null}
    </main>
  );
}
