-- Release 2: an audit trail written by a trigger, forced row-level security, task
-- priorities, a wider open-tasks view (with the view that reads it), comments.
CREATE EXTENSION citext;

CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

CREATE TYPE plan AS ENUM ('free', 'team', 'business', 'enterprise');
CREATE TYPE role AS ENUM ('owner', 'admin', 'member');
CREATE TYPE priority AS ENUM ('low', 'normal', 'high');
CREATE DOMAIN slug AS text CONSTRAINT slug_format CHECK (VALUE ~ '^[a-z0-9-]+$');

CREATE FUNCTION current_tenant() RETURNS bigint LANGUAGE sql STABLE
    AS $$SELECT nullif(current_setting('app.tenant', true), '')::bigint$$;
COMMENT ON FUNCTION current_tenant() IS 'the tenant of this session (app.tenant)';

CREATE TABLE tenants (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug slug NOT NULL UNIQUE,
    name text NOT NULL,
    plan plan NOT NULL DEFAULT 'free',
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE tenants IS 'one row per customer organisation';

CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email citext NOT NULL,
    display_name text COLLATE nocase,
    role role NOT NULL DEFAULT 'member',
    CONSTRAINT users_email_key UNIQUE (tenant_id, email)
);
CREATE INDEX users_display_name ON users (display_name);

CREATE TABLE projects (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name text NOT NULL,
    archived boolean NOT NULL DEFAULT false
);

CREATE TABLE tasks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id bigint NOT NULL,
    project_id bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE
        DEFERRABLE INITIALLY DEFERRED,
    title text NOT NULL,
    done boolean NOT NULL DEFAULT false,
    assignee_id bigint REFERENCES users (id) ON DELETE SET NULL,
    priority priority NOT NULL DEFAULT 'normal'
);
CREATE INDEX tasks_open ON tasks (project_id, priority) WHERE NOT done;
COMMENT ON INDEX tasks_open IS 'the board query';

CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id bigint,
    table_name text NOT NULL,
    action text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tenant_id, table_name, action)
    VALUES (current_tenant(), TG_TABLE_NAME, TG_OP);
    RETURN NULL;
END
$$;
CREATE TRIGGER tasks_audit AFTER INSERT OR UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION audit();

ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_projects ON projects USING (tenant_id = current_tenant());
CREATE POLICY tenant_tasks ON tasks USING (tenant_id = current_tenant())
    WITH CHECK (tenant_id = current_tenant());

CREATE VIEW open_tasks AS
    SELECT t.id, t.tenant_id, t.title, t.priority, p.name AS project
    FROM tasks t JOIN projects p ON p.id = t.project_id
    WHERE NOT t.done;
CREATE VIEW open_task_counts AS
    SELECT tenant_id, count(*) AS open FROM open_tasks GROUP BY tenant_id;
