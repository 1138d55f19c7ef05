'use client';

import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api';
import { useCreateOrganisation } from './useAccount';

/** Names a new organisation; the session switches to it (and the page reloads) once created. */
export function CreateOrganisationForm({ first = false }: { first?: boolean }) {
  const [name, setName] = useState('');
  const create = useCreateOrganisation();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '') return;
    create.mutate(name.trim());
  };
  return (
    <main className="page page-narrow">
      <h1>{first ? 'Create your first organisation' : 'New organisation'}</h1>
      <p className="page-lede">
        {first
          ? 'Your account is not part of any organisation yet. Create one — you become its admin and a domain expert — or open an invite link someone sent you.'
          : 'You become its admin and a domain expert. You can switch between your organisations in the header.'}
      </p>
      <form className="form" onSubmit={onSubmit} data-testid="create-organisation">
        <label className="form-field">
          <span>Organisation name</span>
          <input
            autoFocus
            required
            maxLength={255}
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="Acme Payroll"
            data-testid="organisation-name"
          />
        </label>
        {create.isError ? (
          <p className="notice notice-error" role="alert">
            {errorMessage(create.error)}
          </p>
        ) : null}
        <button type="submit" className="button button-primary" disabled={create.isPending || name.trim() === ''}>
          {create.isPending || create.isSuccess ? 'Creating…' : 'Create organisation'}
        </button>
      </form>
    </main>
  );
}
