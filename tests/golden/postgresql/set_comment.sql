COMMENT ON FUNCTION "f"(a integer) IS 'it''s f';
