-- How far a running extraction job is, for the editor's panel ("Extracting 340 of 1,000 blocks").
--   blocks_total  blocks of the document whose text changed since their last extraction, counted
--                 when the job starts; NULL until a job has reported (small jobs never do)
--   blocks_done   of those, how many are stored; written by the job at most twice a second
--   notice        what the job had to cap or chunk, in words for the person (NULL: nothing)
-- A claim resets blocks_total and blocks_done, so a run never shows the numbers of the one before.
ALTER TABLE extraction_status
  ADD COLUMN IF NOT EXISTS blocks_total INTEGER,
  ADD COLUMN IF NOT EXISTS blocks_done INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS notice TEXT;
