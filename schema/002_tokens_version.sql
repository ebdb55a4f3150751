-- 002: a counter every change to tokens bumps, so a running taktd sees
-- tokens issued by another process (taktd --issue-tokens) by reading one
-- row instead of aggregating the whole tokens table after every commit.

CREATE TABLE tokens_version (
	id		INTEGER PRIMARY KEY CHECK (id = 1),
	v		INTEGER NOT NULL
);
INSERT INTO tokens_version(id, v) VALUES (1, 0);

CREATE TRIGGER tokens_version_insert AFTER INSERT ON tokens
BEGIN
	UPDATE tokens_version SET v = v + 1 WHERE id = 1;
END;
CREATE TRIGGER tokens_version_update AFTER UPDATE ON tokens
BEGIN
	UPDATE tokens_version SET v = v + 1 WHERE id = 1;
END;
CREATE TRIGGER tokens_version_delete AFTER DELETE ON tokens
BEGIN
	UPDATE tokens_version SET v = v + 1 WHERE id = 1;
END;
