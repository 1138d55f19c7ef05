'use client';

/**
 * The persona switcher's state: which persona's view the person is previewing. It changes what
 * the pages show, never what the server allows — editing, reviewing and admin pages follow the
 * membership's persona, which the server enforces on every request and on the websocket.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { isPersona, type Persona } from '@/lib/account/personas';
import { useMe } from '../api';

const STORAGE_KEY = 'kos.personaPreview.v1';

export interface PersonaView {
  /** The membership's persona (what the server allows); null while loading or without an organisation. */
  membership: Persona | null;
  /** What the pages show: the preview if one is chosen, else the membership. */
  view: Persona | null;
  isPreview: boolean;
  /** Editing and reviewing: only a domain expert's membership, and only in the domain expert view. */
  canEdit: boolean;
  isAdmin: boolean;
  setPreview: (persona: Persona | null) => void;
}

const PersonaViewContext = createContext<PersonaView>({
  membership: null,
  view: null,
  isPreview: false,
  canEdit: false,
  isAdmin: false,
  setPreview: () => {},
});

function readStored(): Persona | null {
  try {
    const raw = window.sessionStorage.getItem(STORAGE_KEY);
    return isPersona(raw) ? raw : null;
  } catch {
    return null;
  }
}

export function PersonaViewProvider({ children }: { children: ReactNode }) {
  const me = useMe();
  const [preview, setPreviewState] = useState<Persona | null>(null);

  useEffect(() => {
    // sessionStorage is only readable after hydration; a preview lasts for this tab.
    setPreviewState(readStored());
  }, []);

  const setPreview = useCallback((persona: Persona | null) => {
    setPreviewState(persona);
    try {
      if (persona) window.sessionStorage.setItem(STORAGE_KEY, persona);
      else window.sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      // The preview then lasts until the next reload.
    }
  }, []);

  const membership = me.data?.user?.persona ?? null;
  const isAdmin = me.data?.user?.isAdmin ?? false;
  const value = useMemo<PersonaView>(() => {
    const active = preview !== null && preview !== membership ? preview : null;
    const view = active ?? membership;
    return {
      membership,
      view,
      isPreview: active !== null,
      canEdit: membership === 'domain_expert' && view === 'domain_expert',
      isAdmin,
      setPreview,
    };
  }, [membership, preview, isAdmin, setPreview]);

  return <PersonaViewContext.Provider value={value}>{children}</PersonaViewContext.Provider>;
}

export function usePersonaView(): PersonaView {
  return useContext(PersonaViewContext);
}
