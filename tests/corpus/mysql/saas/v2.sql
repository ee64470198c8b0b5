-- Release 2 of the SaaS database: a seat limit checked per plan, API keys per tenant, a
-- tenant's region (generated from its settings) indexed, a task priority with a check, a
-- task column dropped, an audit trigger on task completion, the open-tasks view with the
-- priority and a local check option view over active projects.
CREATE TABLE plans (
    code varchar(20) NOT NULL PRIMARY KEY,
    seats smallint NOT NULL CHECK (seats > 0),
    monthly_cents int NOT NULL DEFAULT 0,
    yearly_cents int NULL,
    CONSTRAINT ck_plans_yearly CHECK (yearly_cents IS NULL OR yearly_cents <= monthly_cents * 12)
);
CREATE TABLE tenants (
    id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
    slug varchar(63) NOT NULL,
    display_name varchar(200) NOT NULL,
    plan_code varchar(20) NOT NULL DEFAULT 'free',
    created_at timestamp NOT NULL DEFAULT current_timestamp(),
    settings json NULL,
    region varchar(16) AS (coalesce(json_unquote(json_extract(settings, '$.region')), 'eu')) STORED,
    UNIQUE KEY ux_tenants_slug (slug),
    KEY ix_tenants_region (region),
    CONSTRAINT ck_tenants_slug CHECK (slug REGEXP '^[a-z0-9-]+$'),
    CONSTRAINT fk_tenants_plan FOREIGN KEY (plan_code) REFERENCES plans (code) ON UPDATE CASCADE
);
CREATE TABLE members (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant_id int NOT NULL,
    email varchar(254) NOT NULL,
    role enum('owner','admin','member','guest','billing') NOT NULL DEFAULT 'member',
    preferences json NULL,
    locale varchar(10) AS (json_unquote(json_extract(preferences, '$.locale'))) VIRTUAL,
    email_domain varchar(254) AS (substring_index(email, '@', -1)) STORED,
    last_seen_at datetime NULL,
    UNIQUE KEY ux_members_tenant_email (tenant_id, email),
    KEY ix_members_domain (email_domain),
    CONSTRAINT fk_members_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);
CREATE TABLE api_keys (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant_id int NOT NULL,
    prefix char(8) NOT NULL,
    secret_hash binary(32) NOT NULL,
    scopes json NOT NULL,
    expires_at datetime NULL,
    UNIQUE KEY ux_api_keys_prefix (prefix),
    CONSTRAINT ck_api_keys_scopes CHECK (json_type(scopes) = 'ARRAY'),
    CONSTRAINT fk_api_keys_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);
CREATE TABLE projects (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant_id int NOT NULL,
    name varchar(120) NOT NULL,
    archived tinyint(1) NOT NULL DEFAULT 0,
    owner_id bigint NULL,
    UNIQUE KEY ux_projects_tenant_name (tenant_id, name),
    CONSTRAINT fk_projects_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT fk_projects_owner FOREIGN KEY (owner_id) REFERENCES members (id) ON DELETE SET NULL
);
CREATE TABLE tasks (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id bigint NOT NULL,
    title varchar(300) NOT NULL,
    estimate_minutes int NULL,
    spent_minutes int NOT NULL DEFAULT 0,
    overrun int AS (spent_minutes - coalesce(estimate_minutes, 0)) VIRTUAL,
    done_at datetime NULL,
    priority tinyint NOT NULL DEFAULT 3,
    CONSTRAINT ck_tasks_estimate CHECK (estimate_minutes IS NULL OR estimate_minutes >= 0),
    CONSTRAINT ck_tasks_spent CHECK (spent_minutes >= 0),
    CONSTRAINT ck_tasks_priority CHECK (priority BETWEEN 1 AND 5),
    KEY ix_tasks_project_priority (project_id, priority),
    CONSTRAINT fk_tasks_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
);
CREATE TABLE audit_log (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant_id int NOT NULL,
    happened_at datetime(3) NOT NULL DEFAULT current_timestamp(3),
    action varchar(40) NOT NULL,
    detail json NULL,
    KEY ix_audit_tenant_time (tenant_id, happened_at)
);
CREATE TRIGGER members_audit_insert AFTER INSERT ON members FOR EACH ROW
    INSERT INTO audit_log (tenant_id, action, detail)
    VALUES (NEW.tenant_id, 'member.added', json_object('email', NEW.email, 'role', NEW.role));
CREATE TRIGGER projects_no_rename_archived BEFORE UPDATE ON projects FOR EACH ROW
    SET NEW.name = IF(OLD.archived = 1, OLD.name, NEW.name);
CREATE TRIGGER tasks_audit_done AFTER UPDATE ON tasks FOR EACH ROW
    INSERT INTO audit_log (tenant_id, action, detail)
    SELECT p.tenant_id, 'task.done', json_object('task', NEW.id)
    FROM projects p WHERE p.id = NEW.project_id AND OLD.done_at IS NULL AND NEW.done_at IS NOT NULL;
CREATE VIEW active_projects AS
    SELECT id, tenant_id, name, owner_id FROM projects WHERE archived = 0
    WITH CASCADED CHECK OPTION;
CREATE VIEW my_active_projects AS
    SELECT id, tenant_id, name, owner_id FROM active_projects WHERE owner_id IS NOT NULL
    WITH LOCAL CHECK OPTION;
CREATE SQL SECURITY INVOKER VIEW open_tasks AS
    SELECT t.id, p.tenant_id, t.project_id, t.title, t.priority, t.overrun
    FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.done_at IS NULL;
