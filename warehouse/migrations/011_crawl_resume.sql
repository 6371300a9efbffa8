-- 011: crawls that do not finish are recorded as such and resumed. Each run notes which process owns it (so a later
-- crawl can close a run whose process is gone), the latest moment it can still be running, and where its items file
-- is (so the items of a killed runner are picked up, not lost). A source whose last run did not finish keeps
-- `resume_since`: the next crawl trusts only the reviews stored before that moment as "known" and reads on past the
-- ones the unfinished run stored (crawlers/bookkeeping.py, crawlers/stale.py).

alter table crawl_run_files add column if not exists pid integer;          -- the runner process that owns the run
alter table crawl_run_files add column if not exists host varchar;         -- the machine that process runs on
alter table crawl_run_files add column if not exists deadline_at timestamp; -- UTC; still running after this = stale
alter table crawl_run_files add column if not exists items_path varchar;   -- the run's items file (JSON Lines)
alter table crawl_run_files add column if not exists finish_reason varchar; -- Scrapy's reason, or why it stopped

alter table crawl_watermarks add column if not exists resume_since timestamp; -- UTC start of the oldest unfinished run
