-- The Dragonfly incident, for the sandbox (`runbook sandbox start|reset`, game days, tests).
--
-- Seeds the `dragonfly` database so that runbooks/dragonfly.md's own diagnostics find
-- real trouble:
--   * RLS is enabled on public.plaintiffs but OFF on public.judgments (the critical one);
--   * dragonfly_worker lost SELECT on public.judgments (dragonfly_app still has it);
--   * jobs stuck `in_progress` for 20 minutes to 3 hours (released by "Release Stuck
--     Jobs"), beside fresh `in_progress` jobs a healthy worker keeps heartbeating (which
--     must not be released);
--   * while the sandbox runs, the sessions below: dragonfly-worker-1 holds an ACCESS
--     EXCLUSIVE lock on public.judgments in an open transaction, dragonfly-api and
--     dragonfly-worker-2 wait on it ("Blocked queries"), dragonfly-worker-3 is idle
--     between heartbeats (so the containment's `state != 'idle'` spares it).
--
-- Sessions (see src/engine/sandbox/sessions.ts), opened in this order:
-- runbook:session name=dragonfly-worker-1 role=dragonfly_worker sql="BEGIN" sql="LOCK TABLE public.judgments IN ACCESS EXCLUSIVE MODE"
-- runbook:session name=dragonfly-api role=dragonfly_app sql="SELECT count(*) AS pending_judgments FROM public.judgments WHERE status = 'pending'"
-- runbook:session name=dragonfly-worker-2 role=dragonfly_worker sql="INSERT INTO public.judgments (plaintiff_id, case_number, amount_cents, status, entered_on) VALUES (1, 'DF-2026-990001', 125000, 'pending', current_date)"
-- runbook:session name=dragonfly-worker-3 role=dragonfly_worker every=20s sql="UPDATE ops.jobs SET updated_at = now() WHERE claimed_by = 'dragonfly-worker-3' AND status = 'in_progress'"

-- Roles live in the cluster, not the database: a reset finds them already there.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dragonfly_app') THEN
    CREATE ROLE dragonfly_app LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dragonfly_worker') THEN
    CREATE ROLE dragonfly_worker LOGIN;
  END IF;
END
$$;

CREATE SCHEMA IF NOT EXISTS ops;

CREATE TABLE public.plaintiffs (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  full_name   text NOT NULL,
  email       text NOT NULL UNIQUE,
  state       char(2) NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.judgments (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  plaintiff_id  bigint NOT NULL REFERENCES public.plaintiffs (id),
  case_number   text NOT NULL UNIQUE,
  amount_cents  bigint NOT NULL CHECK (amount_cents > 0),
  status        text NOT NULL CHECK (status IN ('pending', 'filed', 'collected', 'vacated')),
  entered_on    date NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ops.jobs (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_type    text NOT NULL,
  status      text NOT NULL CHECK (status IN ('pending', 'in_progress', 'completed', 'failed')),
  payload     jsonb NOT NULL DEFAULT '{}',
  claimed_by  text,
  attempts    integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_status_updated_at ON ops.jobs (status, updated_at);

INSERT INTO public.plaintiffs (full_name, email, state, created_at)
SELECT first_name || ' ' || last_name,
       lower(first_name || '.' || last_name || i) || '@example.com',
       (ARRAY['NY', 'NJ', 'CA', 'TX', 'FL', 'IL', 'PA', 'OH'])[1 + i % 8],
       now() - make_interval(days => 400 - i * 3)
FROM generate_series(1, 120) AS i,
     LATERAL (SELECT (ARRAY['Avery', 'Blake', 'Casey', 'Devon', 'Emery', 'Finley', 'Harper', 'Jordan', 'Morgan', 'Quinn'])[1 + i % 10] AS first_name,
                     (ARRAY['Nguyen', 'Okafor', 'Garcia', 'Kowalski', 'Haddad', 'Silva', 'Fischer', 'Tanaka', 'Moreau', 'Osei', 'Patel', 'Reyes'])[1 + (i * 7) % 12] AS last_name) AS names;

INSERT INTO public.judgments (plaintiff_id, case_number, amount_cents, status, entered_on, updated_at)
SELECT 1 + (i * 13) % 120,
       'DF-2026-' || lpad(i::text, 6, '0'),
       50000 + (i * 7919) % 4950000,
       (ARRAY['pending', 'filed', 'filed', 'collected', 'vacated'])[1 + i % 5],
       current_date - (i % 365),
       now() - make_interval(hours => i)
FROM generate_series(1, 360) AS i;

-- The history: finished, failed and queued work.
INSERT INTO ops.jobs (job_type, status, payload, claimed_by, attempts, created_at, updated_at)
SELECT (ARRAY['sync_plaintiffs', 'enrich_judgment', 'send_notice', 'recompute_balances'])[1 + i % 4],
       CASE WHEN i % 30 = 0 THEN 'failed' ELSE 'completed' END,
       jsonb_build_object('judgment_id', 1 + i % 360),
       'dragonfly-worker-' || (1 + i % 3),
       1 + (i % 30 = 0)::int * 2,
       now() - make_interval(mins => 4320 - i * 20),
       now() - make_interval(mins => 4318 - i * 20)
FROM generate_series(1, 180) AS i;

INSERT INTO ops.jobs (job_type, status, payload, created_at, updated_at)
SELECT (ARRAY['enrich_judgment', 'send_notice'])[1 + i % 2], 'pending',
       jsonb_build_object('judgment_id', 200 + i),
       now() - make_interval(mins => i), now() - make_interval(mins => i)
FROM generate_series(1, 24) AS i;

-- The incident: claimed by the two workers that are now stuck behind the lock, silent for
-- 20 minutes to 3 hours. Older than every threshold the runbook uses (10 and 15 minutes).
INSERT INTO ops.jobs (job_type, status, payload, claimed_by, attempts, created_at, updated_at)
SELECT (ARRAY['enrich_judgment', 'recompute_balances', 'send_notice'])[1 + i % 3], 'in_progress',
       jsonb_build_object('judgment_id', 100 + i),
       'dragonfly-worker-' || (1 + i % 2),
       1,
       now() - make_interval(mins => 25 + i * 20),
       now() - make_interval(mins => 20 + i * 20)
FROM generate_series(0, 8) AS i;

-- Healthy work in flight: dragonfly-worker-3 heartbeats these every 20 s (see its session).
INSERT INTO ops.jobs (job_type, status, payload, claimed_by, attempts, created_at, updated_at)
SELECT 'send_notice', 'in_progress', jsonb_build_object('judgment_id', 300 + i), 'dragonfly-worker-3', 1,
       now() - make_interval(mins => 2), now() - make_interval(secs => 30)
FROM generate_series(1, 3) AS i;

-- Security: RLS on plaintiffs; the last migration left it OFF on judgments.
ALTER TABLE public.plaintiffs ENABLE ROW LEVEL SECURITY;
CREATE POLICY plaintiffs_app_all ON public.plaintiffs FOR ALL TO dragonfly_app USING (true) WITH CHECK (true);
CREATE POLICY plaintiffs_worker_read ON public.plaintiffs FOR SELECT TO dragonfly_worker USING (true);

GRANT USAGE ON SCHEMA ops TO dragonfly_app, dragonfly_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.plaintiffs, public.judgments TO dragonfly_app;
GRANT SELECT ON ops.jobs TO dragonfly_app;
GRANT SELECT ON public.plaintiffs TO dragonfly_worker;
-- The missing grant: dragonfly_worker may write judgments but no longer read them.
GRANT INSERT, UPDATE ON public.judgments TO dragonfly_worker;
GRANT SELECT, UPDATE ON ops.jobs TO dragonfly_worker;

ANALYZE;
