-- old_row_key: the row's key before an UPDATE that changed its primary (or replica identity) key,
-- else null. A lane orders such an event after the old key's earlier events as well as the new
-- key's. (TRUNCATE events need no column: their operation makes them table-wide.)
ALTER TABLE events ADD COLUMN old_row_key TEXT;

-- The operations a destination is sent, comma-separated (e.g. 'INSERT,UPDATE,DELETE'); null: all
-- of INSERT, UPDATE, DELETE and TRUNCATE. An event of another operation gets a SKIPPED delivery
-- for it: recorded, never sent, and never holding back the destination's later events.
ALTER TABLE destinations ADD COLUMN operations TEXT;
