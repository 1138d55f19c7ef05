/**
 * URLs a person may put into an image or file block. Only web links and same-origin paths
 * pass: `javascript:`, `data:` and friends never reach an `href` or `src` we render.
 */
const ALLOWED_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:']);

export function isSafeUrl(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed === '') return false;
  // A single leading slash is a same-origin path; `//host` is protocol-relative and goes elsewhere.
  if (trimmed.startsWith('/') && !trimmed.startsWith('//')) return true;
  try {
    return ALLOWED_PROTOCOLS.has(new URL(trimmed).protocol);
  } catch {
    return false;
  }
}

export function safeUrlOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return isSafeUrl(trimmed) ? trimmed : null;
}

/** The last path segment of a URL, decoded, for naming a file nobody named. */
export function fileNameFromUrl(value: string): string {
  try {
    const { pathname } = new URL(value, 'http://localhost');
    const last = pathname.split('/').filter((part) => part !== '').pop();
    return last ? decodeURIComponent(last) : value;
  } catch {
    return value;
  }
}

export function formatBytes(size: number): string {
  if (!Number.isFinite(size) || size < 0) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = unit === 0 || value >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded} ${units[unit]}`;
}
