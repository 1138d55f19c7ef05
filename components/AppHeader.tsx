'use client';

import Link from 'next/link';
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { useMe } from './api';
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
        title="Change the name others see"
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

export function AppHeader() {
  const me = useMe();
  return (
    <header className="app-header">
      <Link href="/" className="brand">
        <span className="brand-mark" aria-hidden="true">
          K
        </span>
        Knowledge OS
      </Link>
      {me.data ? <span className="tenant-name">{me.data.tenant.name}</span> : null}
      <div className="app-header-spacer" />
      <DisplayNameEditor />
    </header>
  );
}
