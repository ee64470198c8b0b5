CREATE TABLE doc (id integer PRIMARY KEY, owner text);
ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
CREATE POLICY doc_owner ON doc FOR SELECT USING (owner = current_user);
