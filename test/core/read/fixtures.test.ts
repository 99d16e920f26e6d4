import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSystemTree } from '../../../src/adapters/fs/file-system-tree.js';
import { readModels } from '../../../src/core/read/index.js';
import { describeSchema } from './describe.js';

/**
 * The fixture packages read exactly. Every expectation here was checked against what
 * SQLAlchemy 2.0 + PostgreSQL make of the same package (oracle.test.ts does that on every run).
 */
const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/models');

async function readFixture(name: string) {
  const config = JSON.parse(await readFile(path.join(FIXTURES, name, 'fixture.json'), 'utf8')) as { scan: string };
  return readModels(path.join(FIXTURES, name, config.scan), fileSystemTree());
}

const EXPECTED: Record<string, Record<string, string[]>> = {
  'one-module': {
    incident_cost_type: [
      'id integer NOT NULL serial',
      'name character varying(255) NOT NULL',
      'PK incident_cost_type_pkey (id)',
      'UQ incident_cost_type_name_key (name)',
    ],
    o_auth_client: [
      'id integer NOT NULL serial',
      'display_name character varying(255) NULL',
      'cost_type_id integer NULL',
      'PK o_auth_client_pkey (id)',
      'FK o_auth_client_cost_type_id_fkey (cost_type_id) -> incident_cost_type(id)',
    ],
    api_tokens: [
      'id integer NOT NULL serial',
      'client_id integer NOT NULL',
      'created timestamp without time zone NOT NULL',
      'PK api_tokens_pkey (id)',
      'FK api_tokens_client_id_fkey (client_id) -> o_auth_client(id) ON DELETE CASCADE',
    ],
  },
  'flowbot-classic': {
    "bot_tags": [
      "bot_id bigint NOT NULL",
      "tag_id integer NOT NULL",
      "PK bot_tags_pkey (bot_id, tag_id)",
      "FK bot_tags_bot_id_fkey (bot_id) -> bots(id) ON DELETE CASCADE",
      "FK bot_tags_tag_id_fkey (tag_id) -> tags(id) ON DELETE CASCADE"
    ],
    "bots": [
      "id bigint NOT NULL serial",
      "owner_id integer NOT NULL",
      "name character varying(80) NOT NULL",
      "config jsonb NOT NULL DEFAULT '{}'::jsonb",
      "api_token uuid NULL",
      "rating numeric(3,1) NULL",
      "channels character varying(40)[] NULL",
      "created_at timestamp with time zone NOT NULL DEFAULT now()",
      "updated_at timestamp with time zone NULL",
      "PK bots_pkey (id)",
      "FK bots_owner_id_fkey (owner_id) -> users(id) ON DELETE CASCADE",
      "UQ bots_api_token_key (api_token)",
      "UQ uq_bots_owner_name (owner_id, name)",
      "INDEX ix_bots_owner_id (owner_id)",
      "INDEX ix_bots_config (config) USING gin",
      "CHECK ck_bots_name_not_empty (char_length(name) > 0)"
    ],
    "tags": [
      "id integer NOT NULL serial",
      "label character varying(50) NOT NULL",
      "PK tags_pkey (id)",
      "UQ tags_label_key (label)"
    ],
    "sessions": [
      "id uuid NOT NULL DEFAULT gen_random_uuid()",
      "user_id integer NOT NULL",
      "ip_address inet NULL",
      "user_agent character varying(400) NULL",
      "expires_at timestamp with time zone NOT NULL",
      "PK sessions_pkey (id)",
      "FK sessions_user_id_fkey (user_id) -> users(id) ON DELETE CASCADE ON UPDATE CASCADE",
      "INDEX ix_sessions_user_expires (user_id, expires_at DESC)"
    ],
    "tasks": [
      "id integer NOT NULL serial",
      "bot_id bigint NOT NULL",
      "title character varying(200) NOT NULL",
      "state task_state NOT NULL DEFAULT 'PENDING'",
      "priority smallint NOT NULL DEFAULT '5'",
      "due_on date NULL",
      "run_at time without time zone NULL",
      "timeout interval NULL",
      "weight double precision NULL",
      "attachment bytea NULL",
      "result json NULL",
      "retries integer NOT NULL DEFAULT '0'",
      "created_at timestamp with time zone NOT NULL DEFAULT now()",
      "updated_at timestamp with time zone NULL",
      "PK tasks_pkey (id)",
      "FK tasks_bot_id_fkey (bot_id) -> bots(id)",
      "INDEX ix_tasks_open (bot_id) WHERE state <> 'DONE'",
      "CHECK tasks_retries_check (retries >= 0)",
      "CHECK tasks_priority_check (priority BETWEEN 0 AND 10)"
    ],
    "users": [
      "id integer NOT NULL serial",
      "email character varying(255) NOT NULL",
      "name character varying(100) NULL",
      "role userrole NOT NULL DEFAULT 'MEMBER'",
      "is_active boolean NOT NULL DEFAULT true",
      "bio text NULL",
      "login_count integer NOT NULL DEFAULT '0'",
      "created_at timestamp with time zone NOT NULL DEFAULT now()",
      "updated_at timestamp with time zone NULL",
      "deleted_at timestamp with time zone NULL",
      "PK users_pkey (id)",
      "UNIQUE INDEX ix_users_email (email)"
    ],
    "enum task_state": [
      "PENDING",
      "RUNNING",
      "DONE",
      "FAILED"
    ],
    "enum userrole": [
      "ADMIN",
      "MEMBER",
      "GUEST"
    ]
  },

  'flowbot-modern': {
    "bots": [
      "id bigint NOT NULL IDENTITY(always)",
      "owner_id integer NOT NULL",
      "name character varying(80) NOT NULL",
      "webhook_url character varying(2048) NULL",
      "created_at timestamp without time zone NOT NULL DEFAULT now()",
      "updated_at timestamp without time zone NULL",
      "PK bots_pkey (id)",
      "FK bots_owner_id_fkey (owner_id) -> users(id) ON DELETE CASCADE"
    ],
    "bot_secrets": [
      "id integer NOT NULL serial",
      "key character varying(64) NOT NULL",
      "value bytea NOT NULL",
      "bot_id bigint NOT NULL",
      "PK bot_secrets_pkey (id)",
      "FK bot_secrets_bot_id_fkey (bot_id) -> bots(id) ON DELETE CASCADE",
      "UQ bot_secrets_bot_id_key_key (bot_id, key)",
      "INDEX ix_bot_secrets_bot_id (bot_id)"
    ],
    "flows": [
      "id integer NOT NULL serial",
      "name character varying(120) NOT NULL",
      "version smallint NOT NULL DEFAULT '1'",
      "definition jsonb NOT NULL",
      "state character varying(9) NOT NULL",
      "enabled boolean NOT NULL",
      "bot_id bigint NOT NULL",
      "PK flows_pkey (id)",
      "FK flows_bot_id_fkey (bot_id) -> bots(id) ON DELETE CASCADE",
      "INDEX ix_flows_bot_id (bot_id)"
    ],
    "flow_steps": [
      "id integer NOT NULL serial",
      "flow_id integer NOT NULL",
      "position integer NOT NULL",
      "title character varying(200) NOT NULL",
      "title_upper character varying(200) NULL COMPUTED(upper(title))",
      "PK flow_steps_pkey (id)",
      "FK flow_steps_flow_id_fkey (flow_id) -> flows(id) ON DELETE CASCADE",
      "UQ uq_flow_steps_position (flow_id, position)"
    ],
    "sessions": [
      "id uuid NOT NULL DEFAULT gen_random_uuid()",
      "user_id integer NOT NULL",
      "token character varying(64) NOT NULL",
      "expires_at timestamp with time zone NOT NULL",
      "PK sessions_pkey (id)",
      "FK sessions_user_id_fkey (user_id) -> users(id) ON DELETE CASCADE",
      "UNIQUE INDEX ix_sessions_token (token)"
    ],
    "tasks": [
      "flow_id integer NOT NULL",
      "assignee_id integer NULL",
      "title character varying(200) NOT NULL",
      "status taskstatus NOT NULL",
      "priority integer NOT NULL",
      "deadline timestamp with time zone NULL",
      "estimate numeric(8,2) NULL",
      "duration interval NULL",
      "started_on date NULL",
      "remind_at time without time zone NULL",
      "score double precision NOT NULL DEFAULT 0",
      "notes text NULL",
      "id integer NOT NULL serial",
      "created_at timestamp without time zone NOT NULL DEFAULT now()",
      "updated_at timestamp without time zone NULL",
      "PK tasks_pkey (id)",
      "FK tasks_flow_id_fkey (flow_id) -> flows(id)",
      "FK tasks_assignee_id_fkey (assignee_id) -> users(id) ON DELETE SET NULL",
      "INDEX ix_tasks_open (status) WHERE status <> 'DONE'",
      "INDEX ix_tasks_title_lower (lower(title))",
      "INDEX ix_tasks_flow (flow_id) INCLUDE (priority)",
      "CHECK ck_tasks_priority_positive (priority >= 0)"
    ],
    "task_watchers": [
      "task_id integer NOT NULL",
      "user_id integer NOT NULL",
      "since timestamp without time zone NOT NULL DEFAULT now()",
      "PK task_watchers_pkey (task_id, user_id)",
      "FK task_watchers_task_id_fkey (task_id) -> tasks(id) ON DELETE CASCADE",
      "FK task_watchers_user_id_fkey (user_id) -> users(id) ON DELETE CASCADE"
    ],
    "users": [
      "email character varying(320) NOT NULL",
      "name character varying(100) NULL",
      "role userrole NOT NULL DEFAULT 'VIEWER'",
      "settings jsonb NOT NULL DEFAULT '{}'::jsonb",
      "karma integer NULL",
      "is_admin boolean NOT NULL DEFAULT false",
      "languages character varying(8)[] NULL",
      "public_id uuid NOT NULL",
      "id integer NOT NULL serial",
      "created_at timestamp without time zone NOT NULL DEFAULT now()",
      "updated_at timestamp without time zone NULL",
      "PK users_pkey (id)",
      "UQ users_email_key (email)",
      "UNIQUE INDEX ix_users_public_id (public_id)"
    ],
    "enum taskstatus": [
      "TODO",
      "IN_PROGRESS",
      "DONE"
    ],
    "enum userrole": [
      "OWNER",
      "EDITOR",
      "VIEWER"
    ]
  },

  'server-app': {
    "accounts": [
      "name character varying(120) NOT NULL",
      "plan account_plan NOT NULL DEFAULT 'free'",
      "seats integer NOT NULL DEFAULT '1'",
      "id uuid NOT NULL",
      "created_at timestamp with time zone NOT NULL DEFAULT now()",
      "PK accounts_pkey (id)",
      "INDEX ix_accounts_name (name)"
    ],
    "events": [
      "id bigint NOT NULL serial",
      "kind character varying(30) NOT NULL",
      "created_at timestamp with time zone NOT NULL DEFAULT now()",
      "ip_address character varying(45) NULL",
      "PK events_pkey (id)"
    ],
    "members": [
      "account_id uuid NOT NULL",
      "email character varying(320) NOT NULL",
      "role memberrole NOT NULL",
      "invited_by_id uuid NULL",
      "id uuid NOT NULL",
      "PK members_pkey (id)",
      "FK members_account_id_fkey (account_id) -> accounts(id) ON DELETE CASCADE",
      "FK members_invited_by_id_fkey (invited_by_id) -> members(id)"
    ],
    "admins": [
      "id uuid NOT NULL",
      "level integer NOT NULL",
      "PK admins_pkey (id)",
      "FK admins_id_fkey (id) -> members(id)"
    ],
    "enum account_plan": [
      "free",
      "team",
      "enterprise"
    ],
    "enum memberrole": [
      "OWNER",
      "MEMBER"
    ]
  },

  'naming-convention': {
    "invoices": [
      "id integer NOT NULL serial",
      "public_id uuid NOT NULL",
      "account_ref character varying(50) NOT NULL",
      "ref_code character varying(255) NOT NULL",
      "currency character varying(3) NOT NULL",
      "status character varying(32) NOT NULL",
      "total numeric(12,2) NOT NULL",
      "memo character varying(255) NULL",
      "issued_at timestamp with time zone NOT NULL DEFAULT now()",
      "paid_at timestamp with time zone NULL",
      "PK pk_invoices (id)",
      "UQ uq_invoices_public_id (public_id)",
      "UQ uq_invoices_account_ref_ref_code (account_ref, ref_code)",
      "INDEX ix_invoices_ref_code (ref_code)",
      "INDEX ix_invoices_status_invoices_issued_at (status, issued_at)",
      "CHECK ck_invoices_total_positive (total >= 0)"
    ],
    "invoice_lines": [
      "id integer NOT NULL serial",
      "invoice_id integer NOT NULL",
      "description character varying(255) NOT NULL",
      "amount numeric(12,2) NOT NULL",
      "PK pk_invoice_lines (id)",
      "FK fk_invoice_lines_invoice_id_invoices_id (invoice_id) -> invoices(id) ON DELETE CASCADE"
    ],
    "workflow_executions": [
      "id integer NOT NULL serial",
      "name character varying(255) NOT NULL",
      "PK pk_workflow_executions (id)"
    ],
    "workflow_execution_checkpoints": [
      "id integer NOT NULL serial",
      "workflow_execution_id integer NOT NULL",
      "state text NULL",
      "PK pk_workflow_execution_checkpoints (id)",
      "FK fk_workflow_execution_checkpoints_workflow_execution_id_d64f (workflow_execution_id) -> workflow_executions(id)",
      "INDEX ix_workflow_execution_checkpoints_workflow_execution_id (workflow_execution_id)"
    ]
  },
  'base-columns': {
    "category": [
      "name character varying(40) NOT NULL",
      "id integer NOT NULL serial",
      "PK category_pkey (id)"
    ],
    "product": [
      "category_id integer NOT NULL",
      "title character varying(120) NOT NULL",
      "picture json NULL",
      "manual json NULL",
      "id integer NOT NULL serial",
      "PK product_pkey (id)",
      "FK product_category_id_fkey (category_id) -> category(id)"
    ]
  },
  'registry-base': {
    "flow_run": [
      "name character varying NOT NULL",
      "expected_start_time timestamp with time zone NULL",
      "start_time timestamp with time zone NULL",
      "id uuid NOT NULL DEFAULT gen_random_uuid()",
      "created timestamp with time zone NOT NULL DEFAULT now()",
      "PK pk_flow_run (id)",
      "INDEX ix_flow_run__coalesce_start_time (coalesce(start_time, expected_start_time) DESC)",
      "INDEX ix_flow_run__created_desc (created DESC)"
    ],
    "task_run_states": [
      "flow_run_id uuid NOT NULL",
      "message text NULL",
      "id uuid NOT NULL DEFAULT gen_random_uuid()",
      "created timestamp with time zone NOT NULL DEFAULT now()",
      "PK pk_task_run_states (id)",
      "FK fk_task_run_states__flow_run_id__flow_run (flow_run_id) -> flow_run(id) ON DELETE CASCADE",
      "INDEX ix_task_run_states__flow_run_id (flow_run_id)"
    ]
  },
};

describe('fixture packages', () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`reads ${name} exactly, with no diagnostics`, async () => {
      const result = await readFixture(name);
      expect(result.diagnostics).toEqual([]);
      expect(describeSchema(result.schema)).toEqual(expected);
    });
  }

  it('reads oracle-probes exactly: the cases the SQLAlchemy oracle once caught the reader out on', async () => {
    const result = await readFixture('oracle-probes');
    expect(result.diagnostics).toEqual([]);
    expect(describeSchema(result.schema)).toEqual({
      accounts: [
        'id integer NOT NULL serial',
        'code character varying(12) NOT NULL',
        'balance bigint NOT NULL',
        'grace interval(3) NULL',
        'currency character varying(3) NOT NULL',
        'kind character varying(9) NULL',
        'PK accounts_pkey (id)',
        'CHECK ck_accounts_ (balance >= 0)',
        "CHECK currency_code (currency IN ('EUR', 'USD'))",
        "CHECK ck_accounts_kind (kind IN ('asset', 'liability'))",
      ],
      postings: [
        'account_id integer NOT NULL',
        'n integer NOT NULL serial',
        'booked date NOT NULL',
        'PK postings_pkey (n, account_id)',
        'FK postings_account_id_fkey (account_id) -> accounts(id)',
        'CHECK ck_postings_ (n < 1000)',
      ],
      notes: ['id integer NOT NULL serial', 'body text NULL', 'PK notes_pkey (id)'],
    });
  });

  it('points every table and column at its model line', async () => {
    const result = await readFixture('server-app');
    const events = result.schema.tables.find((t) => t.name === 'events')!;
    const rel = (file: string) => path.relative(FIXTURES, file);
    expect([rel(events.location!.file), events.location!.line]).toEqual(['server-app/server/app/models/event.py', 10]);
    expect(events.columns.map((c) => `${c.name} ${rel(c.location!.file)}:${c.location!.line}`)).toEqual([
      'id server-app/server/app/models/event.py:14',
      'kind server-app/server/app/models/event.py:15',
      'created_at server-app/server/app/db/mixins.py:13',
      'ip_address server-app/server/app/models/event.py:23',
    ]);
  });

  it('records Python-side defaults, comments and info of the 1.x package', async () => {
    const result = await readFixture('flowbot-classic');
    const users = result.schema.tables.find((t) => t.name === 'users')!;
    const column = (name: string) => users.columns.find((c) => c.name === name)!;
    expect(users.comment).toBe('people who own bots');
    expect(column('role').default).toEqual({ python: 'UserRole.MEMBER', sql: "'MEMBER'" });
    expect(column('login_count').default).toEqual({ python: '0', sql: '0' });
    expect(column('bio').info).toEqual({ pii: true });
    expect(column('deleted_at').comment).toBe('set instead of deleting the row');
  });
});
