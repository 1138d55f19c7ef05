-- The extraction queue is the extraction_status row: one per document, both what the editor
-- shows and the document's job (pg-boss's queue cost 1.1 ms of database time and three commits
-- per job, the status three more; see server/extraction/queue.ts).
--   requested    enqueues so far; claimed: `requested` when the running job began, so a change
--                made while it ran is seen on completion and queues the document again
--   run_after    when a queued or retrying document may run (retry back-off)
--   lease        the running job's token, valid until lease_until; the worker renews it while
--                the job runs, so a job whose process died is taken over once it runs out
ALTER TABLE extraction_status
  ADD COLUMN IF NOT EXISTS requested BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS claimed BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS run_after TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  ADD COLUMN IF NOT EXISTS lease UUID,
  ADD COLUMN IF NOT EXISTS lease_until TIMESTAMPTZ;

CREATE INDEX IF NOT EXISTS extraction_status_due_idx ON extraction_status (run_after)
  WHERE state IN ('queued', 'running', 'retrying');

-- Jobs pg-boss held are found again by the start-up sweep (blocks newer than their extraction).
DROP SCHEMA IF EXISTS pgboss CASCADE;
