-- An id sequence has one name on both drivers (sqlstore.Sequence.Name):
-- PostgreSQL's sequence names. SQLite's rows of id_sequence were named
-- after the tables they number until now.
UPDATE id_sequence SET name = 'object_ids' WHERE name = 'objects';
UPDATE id_sequence SET name = 'owner_ids' WHERE name = 'owners';
UPDATE id_sequence SET name = 'user_ids' WHERE name = 'users';
UPDATE id_sequence SET name = 'label_ids' WHERE name = 'association_labels';
