import type { HTMLAttributes } from 'react';

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter((word) => word !== '');
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((word) => Array.from(word)[0] ?? '').join('').toUpperCase() || '?';
}

export function Avatar({
  name,
  label = name,
  color,
  size = 28,
  className,
  ...rest
}: { name: string; label?: string; color: string; size?: number } & HTMLAttributes<HTMLSpanElement>) {
  return (
    <span
      {...rest}
      className={className ? `avatar ${className}` : 'avatar'}
      style={{ backgroundColor: color, width: size, height: size, fontSize: Math.round(size * 0.4) }}
      title={label}
      aria-label={label}
      role="img"
    >
      {initials(name)}
    </span>
  );
}
