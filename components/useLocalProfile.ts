/**
 * Who "I" am in a shared document: a display name and caret colour kept in this browser profile's
 * localStorage. The first visit picks a random friendly name, so two browsers (or two Playwright
 * contexts) show up as two different people until someone types a name.
 */
import { useCallback, useSyncExternalStore } from 'react';
import { z } from 'zod';

export interface LocalProfile {
  name: string;
  color: string;
}

const STORAGE_KEY = 'kos.profile.v1';
const CHANGE_EVENT = 'kos-profile-change';
export const MAX_DISPLAY_NAME_LENGTH = 40;

export const PROFILE_COLORS = [
  '#e11d48',
  '#d97706',
  '#059669',
  '#2563eb',
  '#7c3aed',
  '#db2777',
  '#0891b2',
  '#65a30d',
  '#ea580c',
  '#4f46e5',
] as const;

const ADJECTIVES = ['Curious', 'Brave', 'Calm', 'Clever', 'Gentle', 'Swift', 'Bright', 'Quiet', 'Witty', 'Kind', 'Bold', 'Merry'];
const ANIMALS = ['Otter', 'Falcon', 'Panda', 'Fox', 'Heron', 'Lynx', 'Badger', 'Koala', 'Orca', 'Wren', 'Ibex', 'Marten'];

const profileSchema = z.object({
  name: z.string().trim().min(1).max(MAX_DISPLAY_NAME_LENGTH),
  color: z.string().regex(/^#[0-9a-f]{6}$/i),
});

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

function randomProfile(): LocalProfile {
  return { name: `${pick(ADJECTIVES)} ${pick(ANIMALS)}`, color: pick(PROFILE_COLORS) };
}

// localStorage can throw (disabled storage, private modes); the profile then lives in memory.
let memoryRaw: string | null = null;
let cached: { raw: string; profile: LocalProfile } | null = null;

function readRaw(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return memoryRaw;
  }
}

function writeRaw(raw: string): void {
  memoryRaw = raw;
  try {
    window.localStorage.setItem(STORAGE_KEY, raw);
  } catch {
    // Keep the in-memory copy.
  }
}

function getSnapshot(): LocalProfile {
  let raw = readRaw();
  if (cached && cached.raw === raw) return cached.profile;
  const parsed = raw === null ? null : profileSchema.safeParse(safeJson(raw));
  if (parsed?.success) {
    cached = { raw: raw ?? '', profile: parsed.data };
    return parsed.data;
  }
  // First visit (or a corrupt entry): choose once and remember, so the snapshot is stable.
  const profile = randomProfile();
  raw = JSON.stringify(profile);
  writeRaw(raw);
  cached = { raw, profile };
  return profile;
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

function getServerSnapshot(): null {
  return null;
}

function subscribe(onChange: () => void): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key === STORAGE_KEY) onChange();
  };
  window.addEventListener('storage', onStorage);
  window.addEventListener(CHANGE_EVENT, onChange);
  return () => {
    window.removeEventListener('storage', onStorage);
    window.removeEventListener(CHANGE_EVENT, onChange);
  };
}

/** The local profile, or null while rendering on the server / before hydration. */
export function useLocalProfile(): {
  profile: LocalProfile | null;
  setDisplayName: (name: string) => void;
} {
  const profile = useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
  const setDisplayName = useCallback((name: string) => {
    const current = getSnapshot();
    const trimmed = name.trim().slice(0, MAX_DISPLAY_NAME_LENGTH);
    if (trimmed === '' || trimmed === current.name) return;
    writeRaw(JSON.stringify({ ...current, name: trimmed }));
    window.dispatchEvent(new Event(CHANGE_EVENT));
  }, []);
  return { profile, setDisplayName };
}
