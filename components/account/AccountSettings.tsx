'use client';

import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api';
import { useChangePassword, useEndSessions, useSessions, type SessionSummary } from './useAccount';

const MIN_PASSWORD = 10;
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "Firefox on Linux" from a user agent, or the raw string when it is not one we know. */
function browserOf(userAgent: string | null): string {
  if (!userAgent) return 'Unknown browser';
  const browser = /Edg\//.test(userAgent) ? 'Edge' : /Firefox\//.test(userAgent) ? 'Firefox' : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome' : /Safari\//.test(userAgent) ? 'Safari' : null;
  const system = /iPhone|iPad/.test(userAgent) ? 'iOS' : /Android/.test(userAgent) ? 'Android' : /Mac OS X/.test(userAgent) ? 'macOS' : /Windows/.test(userAgent) ? 'Windows' : /Linux/.test(userAgent) ? 'Linux' : null;
  if (!browser) return userAgent.slice(0, 60);
  return system ? `${browser} on ${system}` : browser;
}

function SessionRow({ session }: { session: SessionSummary }) {
  const end = useEndSessions();
  return (
    <li className="member-row" data-testid="session-row">
      <span className="member-name">
        <span>
          {browserOf(session.userAgent)}
          {session.current ? <span className="knowledge-hint"> (this browser)</span> : null}
        </span>
        <span className="member-email">
          Signed in {when.format(new Date(session.createdAt))}
          {session.lastSeenAt ? ` · last used ${when.format(new Date(session.lastSeenAt))}` : ''}
        </span>
      </span>
      <button type="button" className="button button-small" data-testid="session-end" disabled={end.isPending} onClick={() => end.mutate(session)}>
        {end.isPending ? 'Ending…' : session.current ? 'Sign out' : 'End'}
      </button>
      {end.isError ? (
        <span className="inline-error" role="alert">
          {errorMessage(end.error)}
        </span>
      ) : null}
    </li>
  );
}

function Sessions() {
  const sessions = useSessions();
  const endOthers = useEndSessions();
  const others = sessions.data?.filter((s) => !s.current).length ?? 0;
  return (
    <section aria-labelledby="sessions-heading" data-testid="sessions">
      <h2 id="sessions-heading">Where you are signed in</h2>
      {sessions.isPending ? (
        <div aria-busy="true" aria-label="Loading sessions" className="knowledge-skeleton">
          <span className="skeleton-line" style={{ width: '60%' }} />
        </div>
      ) : sessions.isError ? (
        <div className="notice notice-error" role="alert">
          <p>Could not load your sessions: {errorMessage(sessions.error)}</p>
          <button type="button" className="button" onClick={() => void sessions.refetch()}>
            Try again
          </button>
        </div>
      ) : (
        <>
          <ul className="member-list">
            {sessions.data.map((session) => (
              <SessionRow key={session.id} session={session} />
            ))}
          </ul>
          {others > 0 ? (
            <button type="button" className="button" data-testid="sessions-end-others" disabled={endOthers.isPending} onClick={() => endOthers.mutate(undefined)}>
              {endOthers.isPending ? 'Signing out…' : `Sign out everywhere else (${others})`}
            </button>
          ) : (
            <p className="knowledge-hint">You are signed in only here.</p>
          )}
          {endOthers.isError ? (
            <p className="notice notice-error" role="alert">
              {errorMessage(endOthers.error)}
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}

function PasswordChange() {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNext] = useState('');
  const change = useChangePassword();
  const tooShort = newPassword.length > 0 && newPassword.length < MIN_PASSWORD;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (newPassword.length < MIN_PASSWORD) return;
    change.mutate(
      { currentPassword, newPassword },
      {
        onSuccess: () => {
          setCurrent('');
          setNext('');
        },
      },
    );
  };
  const error =
    change.error instanceof ApiError && change.error.code === 'wrong_password' ? 'Your current password is not right.' : change.isError ? errorMessage(change.error) : null;
  return (
    <section aria-labelledby="password-heading">
      <h2 id="password-heading">Change your password</h2>
      <form className="form" onSubmit={onSubmit} data-testid="password-form">
        <label className="form-field">
          <span>Current password</span>
          <input type="password" autoComplete="current-password" required value={currentPassword} onChange={(e) => setCurrent(e.target.value)} data-testid="current-password" />
        </label>
        <label className="form-field">
          <span>New password</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={MIN_PASSWORD}
            value={newPassword}
            onChange={(e) => setNext(e.target.value)}
            aria-invalid={tooShort}
            aria-describedby="new-password-hint"
            data-testid="new-password"
          />
          <span id="new-password-hint" className={tooShort ? 'form-hint is-error' : 'form-hint'}>
            At least {MIN_PASSWORD} characters. Every other browser is signed out.
          </span>
        </label>
        {error ? (
          <p className="notice notice-error" role="alert" data-testid="password-error">
            {error}
          </p>
        ) : null}
        {change.data ? (
          <p className="notice notice-info" role="status" data-testid="password-changed">
            Password changed.{' '}
            {change.data.endedSessions > 0 ? `${change.data.endedSessions} other session${change.data.endedSessions === 1 ? '' : 's'} signed out.` : ''}
          </p>
        ) : null}
        <button type="submit" className="button button-primary" disabled={change.isPending} data-testid="password-submit">
          {change.isPending ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}

/** Settings → Your account: sessions to end, and a new password. */
export function AccountSettings() {
  return (
    <main className="page page-narrow" data-testid="account-settings">
      <div className="page-heading">
        <h1>Your account</h1>
      </div>
      <Sessions />
      <PasswordChange />
    </main>
  );
}
