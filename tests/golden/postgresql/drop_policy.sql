DROP POLICY "own rows" ON "users";
