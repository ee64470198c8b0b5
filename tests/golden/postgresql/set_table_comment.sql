COMMENT ON TABLE "users" IS 'humans';
