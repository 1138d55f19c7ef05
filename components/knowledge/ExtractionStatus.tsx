'use client';

import type { ExtractionStatusDto } from '@/lib/knowledge/dto';

/** Where extraction stands for this document; a failed job says why. */
export function ExtractionStatus({ status }: { status: ExtractionStatusDto }) {
  if (status.state === 'failed') {
    return (
      <p className="extraction-status is-failed" data-testid="extraction-status" data-state="failed" role="alert">
        Extraction failed: {status.error ?? 'unknown error'}
      </p>
    );
  }
  const busy = status.state !== 'idle';
  const label = status.state === 'retrying' ? 'Extracting… (retrying)' : busy ? 'Extracting…' : 'Up to date';
  return (
    <p className={`extraction-status${busy ? ' is-busy' : ''}`} data-testid="extraction-status" data-state={status.state} aria-live="polite">
      {label}
    </p>
  );
}
