'use client';

import type { ExtractionStatusDto } from '@/lib/knowledge/dto';
import { livenessLabel, type ServerLiveness } from '../serverLiveness';

const count = new Intl.NumberFormat('en');

/**
 * Where extraction stands for this document: a failed job says why, a running one how far it
 * is, and what it had to cap or chunk. "Up to date" only while the server answers: when it
 * does not, this status may be old, and says so.
 */
export function ExtractionStatus({ status, liveness }: { status: ExtractionStatusDto; liveness: ServerLiveness }) {
  const notice = status.notice ? (
    <p className="extraction-notice" data-testid="extraction-notice">
      {status.notice}
    </p>
  ) : null;
  if (status.state === 'failed') {
    return (
      <div className="extraction-status-box">
        <p className="extraction-status is-failed" data-testid="extraction-status" data-state="failed" role="alert">
          Extraction failed: {status.error ?? 'unknown error'}
        </p>
        {notice}
      </div>
    );
  }
  const stalled = livenessLabel(liveness);
  const busy = status.state !== 'idle';
  const { progress } = status;
  let label = 'Up to date';
  if (busy) label = progress ? `Extracting ${count.format(progress.done)} of ${count.format(progress.total)} blocks…` : 'Extracting…';
  if (status.state === 'retrying') label = 'Extracting… (retrying)';
  if (stalled) label = busy ? `${label} · ${stalled.toLowerCase()}` : stalled;
  const classes = ['extraction-status', busy ? 'is-busy' : '', stalled ? 'is-stalled' : ''].filter(Boolean).join(' ');
  return (
    <div className="extraction-status-box">
      <p className={classes} data-testid="extraction-status" data-state={status.state} data-stalled={stalled ? 'true' : 'false'} aria-live="polite">
        {label}
      </p>
      {busy && progress && progress.total > 0 ? (
        <div
          className="extraction-progress"
          data-testid="extraction-progress"
          role="progressbar"
          aria-label="Extraction progress"
          aria-valuemin={0}
          aria-valuemax={progress.total}
          aria-valuenow={progress.done}
        >
          <span style={{ width: `${Math.min(100, (progress.done / progress.total) * 100)}%` }} />
        </div>
      ) : null}
      {notice}
    </div>
  );
}
