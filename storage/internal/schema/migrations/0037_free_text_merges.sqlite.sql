-- FTS5 writes each transaction's free text as a new segment and merges
-- segments of one level into the next once 'automerge' of them (default 4)
-- are there. With 16, a level holds up to 15 segments and every word is
-- rewritten by about half as many merges: the writer's work per message
-- falls by a few microseconds, and a query looks up a word in a few more
-- segments (docs/benchmarks.md, "Free text merges"). The setting is kept
-- in search_text_config, which resets and restores leave alone.
INSERT INTO search_text (search_text, rank) VALUES ('automerge', 16);
