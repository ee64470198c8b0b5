-- A multi-tenant SaaS database on MySQL/MariaDB (one database, rows keyed by tenant):
-- tenants and their plans, members with JSON preferences, projects and tasks with
-- generated columns and checks, an audit trail kept by triggers, and views that let a
-- tenant see only what it may (SQL SECURITY INVOKER, WITH CHECK OPTION).
CREATE TABLE plans (
    code varchar(20) NOT NULL PRIMARY KEY,
    seats smallint NOT NULL CHECK (seats > 0),
    monthly_cents int NOT NULL DEFAULT 0
);
CREATE TABLE tenants (
    id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
    slug varchar(63) NOT NULL,
    display_name varchar(200) NOT NULL,
    plan_code varchar(20) NOT NULL DEFAULT 'free',
    created_at timestamp NOT NULL DEFAULT current_timestamp(),
    settings json NULL,
    UNIQUE KEY ux_tenants_slug (slug),
    CONSTRAINT ck_tenants_slug CHECK (slug REGEXP '^[a-z0-9-]+$'),
    CONSTRAINT fk_tenants_plan FOREIGN KEY (plan_code) REFERENCES plans (code) ON UPDATE CASCADE
);
CREATE TABLE members (
    id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant_id int NOT NULL,
    email varchar(254) NOT NULL,
    role enum('owner','admin','member','guest') NOT NULL DEFAULT 'member',
    preferences json NULL,
    locale varchar(10) AS (json_unquote(json_extract(preferences, '$.locale'))) VIRTUAL,
    email_domain varchar(254) AS (substring_index(email, '@', -1)) STORED,
    UNIQUE KEY ux_members_tenant_email (tenant_id, email),
    KEY ix_members_domain (email_domain),
    CONSTRAINT fk_members_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
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
    due_on date NULL,
    done_at datetime NULL,
    CONSTRAINT ck_tasks_estimate CHECK (estimate_minutes IS NULL OR estimate_minutes >= 0),
    CONSTRAINT ck_tasks_spent CHECK (spent_minutes >= 0),
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
CREATE VIEW active_projects AS
    SELECT id, tenant_id, name, owner_id FROM projects WHERE archived = 0
    WITH CASCADED CHECK OPTION;
CREATE SQL SECURITY INVOKER VIEW open_tasks AS
    SELECT t.id, p.tenant_id, t.project_id, t.title, t.due_on, t.overrun
    FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.done_at IS NULL;
