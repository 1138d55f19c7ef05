'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage, useMe } from '../api';
import { goTo, safeNext, useAuthOptions, useLocalSignIn, useSignIn, useSignUp } from './useAccount';

const MIN_PASSWORD = 10;

function withNext(path: string, next: string): string {
  return next === '/' ? path : `${path}?next=${encodeURIComponent(next)}`;
}

/** "Try again in 42 seconds" from a 429, else the server's sentence. */
function signInError(error: unknown): string {
  if (error instanceof ApiError && error.code === 'bad_credentials') return 'That email and password do not match an account.';
  if (error instanceof ApiError && error.retryAfterSeconds !== null) {
    const seconds = error.retryAfterSeconds;
    const wait = seconds >= 90 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} second${seconds === 1 ? '' : 's'}`;
    return `Too many attempts. Try again in ${wait}.`;
  }
  return errorMessage(error);
}

/** Someone who opens sign-in or sign-up while signed in can go on instead. */
function AlreadySignedIn({ next }: { next: string }) {
  const me = useMe();
  if (!me.data) return null;
  return (
    <p className="notice notice-info" data-testid="already-signed-in">
      You are signed in as {me.data.account.name} ({me.data.account.email}). <Link href={next}>Continue</Link>
    </p>
  );
}

function LocalSignIn({ next }: { next: string }) {
  const options = useAuthOptions();
  const local = useLocalSignIn();
  if (!options.data?.localLogin) return null;
  return (
    <div className="auth-local">
      <button
        type="button"
        className="button auth-local-button"
        data-testid="local-sign-in"
        disabled={local.isPending || local.isSuccess}
        onClick={() => local.mutate(undefined, { onSuccess: () => goTo(next) })}
      >
        {local.isPending || local.isSuccess ? 'Signing in…' : 'Continue as local user'}
      </button>
      <p className="auth-hint">One click on this machine: an admin and domain expert of “Local workspace”.</p>
      {local.isError ? (
        <p className="notice notice-error" role="alert">
          {errorMessage(local.error)}
        </p>
      ) : null}
      <div className="auth-divider">
        <span>or with your email</span>
      </div>
    </div>
  );
}

export function SignInForm({ next: rawNext }: { next?: string }) {
  const next = safeNext(rawNext);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useSignIn();
  const busy = signIn.isPending || signIn.isSuccess;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ email: email.trim(), password }, { onSuccess: () => goTo(next) });
  };

  return (
    <main className="page page-auth">
      <h1>Sign in</h1>
      <AlreadySignedIn next={next} />
      <LocalSignIn next={next} />
      <form className="form" onSubmit={onSubmit} data-testid="sign-in-form" noValidate={false}>
        <label className="form-field">
          <span>Email</span>
          <input type="email" autoComplete="email" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} data-testid="email" />
        </label>
        <label className="form-field">
          <span>Password</span>
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} data-testid="password" />
        </label>
        {signIn.isError ? (
          <p className="notice notice-error" role="alert" data-testid="auth-error">
            {signInError(signIn.error)}
          </p>
        ) : null}
        <button type="submit" className="button button-primary" disabled={busy} data-testid="submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="auth-switch">
        No account yet? <Link href={withNext('/signup', next)}>Create one</Link>
      </p>
    </main>
  );
}

export function SignUpForm({ next: rawNext }: { next?: string }) {
  const next = safeNext(rawNext);
  // Someone joining through an invite gets their organisation from the invite.
  const joiningByInvite = next.startsWith('/invite/');
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [organisation, setOrganisation] = useState('');
  const [touched, setTouched] = useState(false);
  const signUp = useSignUp();
  const busy = signUp.isPending || signUp.data?.signedIn === true;
  const notSignedIn = signUp.data?.signedIn === false;
  const passwordTooShort = password.length > 0 && password.length < MIN_PASSWORD;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (password.length < MIN_PASSWORD) return;
    signUp.mutate(
      {
        email: email.trim(),
        name: name.trim(),
        password,
        ...(organisation.trim() && !joiningByInvite ? { organisation: organisation.trim() } : {}),
      },
      {
        onSuccess: ({ signedIn }) => {
          if (signedIn) goTo(next);
        },
      },
    );
  };

  const error = signUp.isError ? signInError(signUp.error) : null;

  return (
    <main className="page page-auth">
      <h1>Create your account</h1>
      <AlreadySignedIn next={next} />
      {joiningByInvite ? <p className="page-lede">After this you return to your invite to join the organisation.</p> : null}
      <form className="form" onSubmit={onSubmit} data-testid="sign-up-form">
        <label className="form-field">
          <span>Name</span>
          <input autoComplete="name" required autoFocus maxLength={255} value={name} onChange={(e) => setName(e.target.value)} data-testid="name" />
        </label>
        <label className="form-field">
          <span>Email</span>
          <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} data-testid="email" />
        </label>
        <label className="form-field">
          <span>Password</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={MIN_PASSWORD}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={touched && password.length < MIN_PASSWORD}
            aria-describedby="password-hint"
            data-testid="password"
          />
          <span id="password-hint" className={touched && passwordTooShort ? 'form-hint is-error' : 'form-hint'}>
            At least {MIN_PASSWORD} characters.
          </span>
        </label>
        {joiningByInvite ? null : (
          <label className="form-field">
            <span>Organisation (optional)</span>
            <input maxLength={255} value={organisation} onChange={(e) => setOrganisation(e.target.value)} placeholder="Acme Payroll" data-testid="organisation" />
            <span className="form-hint">Creates it with you as admin. Leave empty to create or join one later.</span>
          </label>
        )}
        {error ? (
          <p className="notice notice-error" role="alert" data-testid="auth-error">
            {error}
          </p>
        ) : null}
        {notSignedIn ? (
          <p className="notice notice-info" role="status" data-testid="sign-up-not-signed-in">
            You are not signed in, and nothing was changed. If you already have an account with this email,{' '}
            <Link href={withNext('/signin', next)}>sign in with its password</Link>.
          </p>
        ) : null}
        <button type="submit" className="button button-primary" disabled={busy} data-testid="submit">
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p className="auth-switch">
        Already have an account? <Link href={withNext('/signin', next)}>Sign in</Link>
      </p>
    </main>
  );
}
