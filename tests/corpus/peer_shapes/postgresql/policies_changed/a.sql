CREATE TABLE doc (id integer PRIMARY KEY, owner text, public boolean);
ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
CREATE POLICY doc_read ON doc FOR SELECT USING (public);
CREATE POLICY doc_gone ON doc FOR DELETE USING (owner = current_user);
