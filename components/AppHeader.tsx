'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { isPersona, PERSONA_LABELS, PERSONA_NOUNS, PERSONA_VIEWS, PERSONAS } from '@/lib/account/personas';
import { errorMessage, useMe, type Me } from './api';
import { useSignOut, useSwitchOrganisation } from './account/useAccount';
import { usePersonaView } from './persona/PersonaPreview';
import { isPublicPath } from './providers';
import { Avatar } from './Avatar';
import { MAX_DISPLAY_NAME_LENGTH, useLocalProfile } from './useLocalProfile';

function DisplayNameEditor() {
  const { profile, setDisplayName } = useLocalProfile();
  const [draft, setDraft] = useState<string | null>(null);

  if (!profile) return <span className="display-name is-loading" aria-hidden="true" />;

  if (draft === null) {
    return (
      <button
        type="button"
        className="display-name"
        data-testid="display-name"
        title="Change the name others see beside your caret"
        onClick={() => setDraft(profile.name)}
      >
        <Avatar name={profile.name} color={profile.color} size={24} />
        <span>{profile.name}</span>
      </button>
    );
  }

  const save = (event?: FormEvent) => {
    event?.preventDefault();
    setDisplayName(draft);
    setDraft(null);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') setDraft(null);
  };

  return (
    <form className="display-name-form" onSubmit={save}>
      <label className="visually-hidden" htmlFor="display-name-input">
        Your name
      </label>
      <input
        id="display-name-input"
        data-testid="display-name-input"
        autoFocus
        value={draft}
        maxLength={MAX_DISPLAY_NAME_LENGTH}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={onKeyDown}
        onBlur={() => save()}
      />
    </form>
  );
}

function OrganisationSwitcher({ me }: { me: Me }) {
  const switchOrganisation = useSwitchOrganisation();
  const router = useRouter();
  if (!me.tenant) return null;
  const onChange = (value: string) => {
    if (value === NEW_ORGANISATION) {
      router.push('/organisations/new');
      return;
    }
    if (value !== me.tenant?.id) switchOrganisation.mutate(value);
  };
  return (
    <label className="header-field">
      <span className="visually-hidden">Organisation</span>
      <select
        className="header-select organisation-select"
        data-testid="organisation-switcher"
        value={me.tenant.id}
        disabled={switchOrganisation.isPending}
        onChange={(event) => onChange(event.target.value)}
        title={switchOrganisation.isError ? errorMessage(switchOrganisation.error) : 'Switch organisation'}
      >
        {me.organisations.map((organisation) => (
          <option key={organisation.id} value={organisation.id}>
            {organisation.name}
          </option>
        ))}
        <option value={NEW_ORGANISATION}>＋ New organisation…</option>
      </select>
    </label>
  );
}

const NEW_ORGANISATION = '__new__';

function PersonaSwitcher() {
  const { membership, view, isPreview, setPreview } = usePersonaView();
  if (!membership || !view) return null;
  return (
    <div className="persona-switcher">
      <span className="persona-badge" data-testid="persona" data-persona={membership} title={PERSONA_VIEWS[membership]}>
        {PERSONA_LABELS[membership]}
      </span>
      <label className="header-field">
        <span className="header-field-label">View as</span>
        <select
          className={isPreview ? 'header-select is-preview' : 'header-select'}
          data-testid="persona-preview"
          value={view}
          onChange={(event) => {
            const value = event.target.value;
            setPreview(isPersona(value) && value !== membership ? value : null);
          }}
          title="Preview what each persona sees. What you can do follows your membership."
        >
          {PERSONAS.map((persona) => (
            <option key={persona} value={persona}>
              {PERSONA_LABELS[persona]}
              {persona === membership ? ' (you)' : ' (preview)'}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

function AccountMenu({ me }: { me: Me }) {
  const signOut = useSignOut();
  return (
    <div className="account-menu">
      <span className="account-email" title={me.account.email}>
        {me.account.name}
      </span>
      <button type="button" className="button button-small" data-testid="sign-out" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
        {signOut.isPending ? 'Signing out…' : 'Sign out'}
      </button>
      {signOut.isError ? (
        <span className="header-error" role="alert">
          {errorMessage(signOut.error)}
        </span>
      ) : null}
    </div>
  );
}

/** Shown under the header while previewing another persona's view. */
export function PreviewBanner() {
  const { membership, view, isPreview, setPreview } = usePersonaView();
  if (!isPreview || !membership || !view) return null;
  return (
    <div className="preview-banner" role="status" data-testid="preview-banner">
      <span>
        Previewing the <strong>{PERSONA_NOUNS[view]}</strong> view. This changes only what you see: what you can do still
        follows your membership ({PERSONA_NOUNS[membership]}).
      </span>
      <button type="button" className="button button-small" onClick={() => setPreview(null)}>
        Back to my view
      </button>
    </div>
  );
}

export function AppHeader() {
  const me = useMe();
  const pathname = usePathname();
  const signedIn = me.data !== undefined && !isPublicPath(pathname);
  return (
    <>
      <header className="app-header">
        <Link href="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            K
          </span>
          Knowledge OS
        </Link>
        {signedIn && me.data ? <OrganisationSwitcher me={me.data} /> : null}
        <div className="app-header-spacer" />
        {signedIn ? <PersonaSwitcher /> : null}
        {signedIn ? <DisplayNameEditor /> : null}
        {signedIn && me.data ? <AccountMenu me={me.data} /> : null}
      </header>
      {signedIn ? <PreviewBanner /> : null}
    </>
  );
}
