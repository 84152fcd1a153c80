-- Migration 018: room on each page of the bookkeeping tables that TrackEvents
-- updates in place, so those updates can be HOT.
--
-- Why: profile_sessions, profile_affinities and profile_prices rows are
-- updated by every batch that touches them (page views, weights and
-- observations added), but no indexed column changes: the updates can be
-- heap-only (HOT: no new index entries, no index bloat) if the new row
-- version fits on the same page. With the default fillfactor of 100 pages
-- fill up and most updates were not HOT. At 70, measured during
-- bench:profiles, ~95 % of their updates are HOT and a batch costs ~10 % less
-- (BENCHMARKS.md). user_profiles is left alone: its updates move last_visit,
-- which is indexed, so they can never be HOT.
ALTER TABLE profile_sessions SET (fillfactor = 70);
ALTER TABLE profile_affinities SET (fillfactor = 70);
ALTER TABLE profile_prices SET (fillfactor = 70);
