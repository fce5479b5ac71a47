"""Who may read and write what, enforced by the server itself (issue 19, points 3 and 5; docs/clinic.md).

Each person logs in as their own role, a member of one group: `backmap_owner`, `backmap_therapist` or
`backmap_receptionist` (prefixed: roles are shared by every database of a server). Every client table has
ROW LEVEL SECURITY, forced on its owner too, and the policies name the person by `session_user`: the role that
logged in, which no one but a superuser can change in a session (`SET ROLE` changes current_user only, and a
custom setting could be set by any client).

- A client's **therapist** (clients.therapist) reads and writes the whole record. Another therapist sees the
  client's name and contact once it is shared with them (share_client) and the clinical record after
  open_client(id) in the same transaction; so does the owner, for any client.
- **open_client** is a SECURITY DEFINER function: it writes the audit entry 'read', and that entry, naming the
  transaction that wrote it, is what the policies look for. No entry, no rows: a read by anyone but the client's
  therapist cannot happen unlogged. Limits: one entry per transaction however much it reads; the clients row
  itself (name, contact, consent) is read without an entry by those who may see it; a superuser is not bound
  by any of this (the server's administrator: docs/clinic.md).
- The **receptionist** has privileges on the clients table alone, whose columns are names, contact and
  consent: no privilege at all on intakes, sessions, marks, strokes, holds, amendments or plans, so any query
  of them fails whatever the rows. Chosen over a view because the table itself holds no clinical column, and a
  missing privilege fails loudly where a view's filter would need to be kept right as columns are added.
- **Every change** to a client table is announced on the channel CHANGES_CHANNEL (NOTIFY, the client's id as the
  payload: an open window reloads what another person changed; schema version 2). Any person of the clinic may
  LISTEN, so the payload is the opaque id alone, never a name; a client's id is no secret to the front desk either.
- **Every change** to a client table is also written to the audit log by a trigger (the columns changed, never a
  value); exports are logged by log_export, erasure by erase_client. The log is append-only: no role has
  UPDATE, DELETE or TRUNCATE on it, and triggers refuse them even to its owning role.
"""

from __future__ import annotations

from app.storage.postgres.schema import SCHEMA_OWNER

OWNER = "backmap_owner"
THERAPIST = "backmap_therapist"
RECEPTIONIST = "backmap_receptionist"
CHANGES_CHANNEL = "backmap_changes"
GROUPS = {"owner": OWNER, "therapist": THERAPIST, "receptionist": RECEPTIONIST}
ROLES = (SCHEMA_OWNER, OWNER, THERAPIST, RECEPTIONIST)  # all NOLOGIN

CLIENT_TABLES = ("intakes", "sessions")  # clinical, with a client_id
SESSION_TABLES = ("marks", "strokes", "holds", "amendments")  # clinical, with a session_id
AUDITED = ("clients", *CLIENT_TABLES, *SESSION_TABLES)
WITH_ROW_SECURITY = (*AUDITED, "plans", "client_shares", "audit_log")
# What a receptionist keeps up to date; a therapist may change these too, and only the owner `therapist`.
CONTACT_COLUMNS = (
    "name",
    "name_key",
    "born",
    "phone",
    "email",
    "consent_date",
    "consent_notice_version",
    "consent_guardian",
    "version",
)

_DEFINER = "SECURITY DEFINER SET search_path = backmap, pg_temp"
_IS_OWNER = f"pg_has_role(session_user, '{OWNER}', 'MEMBER')"

# What the policies of the clinical tables ask, row by row (schema version 3; schema.STEPS[3] puts them in place
# of version 2's, whose check on a session's rows was a subquery of sessions that the planner could run as a scan
# of every session in the clinic, calling may_read on each). PL/pgSQL, so their queries are planned once per login
# rather than once per statement; each is a few index probes (audit_log_reads finds an opening however long the
# client's log). Priced at what a call costs, about as much as reading a few hundred rows, so the planner never
# scans a whole table to call one on every row.
_CHECK = f"LANGUAGE plpgsql STABLE {_DEFINER} COST 1000"
# The client's therapist, or whoever opened the client in this very transaction (open_client).
_MAY_READ_CLIENT = """
    EXISTS (SELECT 1 FROM backmap.clients WHERE id = client AND therapist = session_user) OR EXISTS (
        SELECT 1 FROM backmap.audit_log
        WHERE client_id = client AND action = 'read' AND by_role = session_user
            AND xact = pg_current_xact_id_if_assigned())
"""
READ_CHECKS: tuple[str, ...] = (
    f"""
    CREATE OR REPLACE FUNCTION backmap.may_read(client text) RETURNS boolean {_CHECK} AS $$
    BEGIN
        RETURN {_MAY_READ_CLIENT};
    END
    $$
    """,
    # may_read of the session's client, for the rows of a session (marks, strokes, holds, amendments). False for
    # a session that does not exist, as for one the person may not read: it tells nobody what it does not show.
    f"""
    CREATE OR REPLACE FUNCTION backmap.may_read_session(of_session text) RETURNS boolean {_CHECK} AS $$
    DECLARE
        client text := (SELECT client_id FROM backmap.sessions WHERE id = of_session);
    BEGIN
        RETURN {_MAY_READ_CLIENT};
    END
    $$
    """,
)

FUNCTIONS: tuple[str, ...] = (
    # The one way into the audit log. The time as the SQLite store writes it: ISO 8601, UTC, to the second.
    f"""
    CREATE FUNCTION backmap.audit(action text, client text, what text) RETURNS void LANGUAGE sql {_DEFINER} AS $$
        INSERT INTO backmap.audit_log (at, action, client_id, what) VALUES (
            to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'), action, client, what)
    $$
    """,
    f"""
    CREATE FUNCTION backmap.treats(client text) RETURNS boolean LANGUAGE sql STABLE {_DEFINER} AS $$
        SELECT EXISTS (SELECT 1 FROM backmap.clients WHERE id = client AND therapist = session_user)
    $$
    """,
    f"""
    CREATE FUNCTION backmap.shared_with_me(client text) RETURNS boolean LANGUAGE sql STABLE {_DEFINER} AS $$
        SELECT EXISTS (SELECT 1 FROM backmap.client_shares WHERE client_id = client AND therapist = session_user)
    $$
    """,
    *READ_CHECKS,
    f"""
    CREATE FUNCTION backmap.open_client(client text) RETURNS void LANGUAGE plpgsql {_DEFINER} AS $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM backmap.clients WHERE id = client) THEN
            RAISE EXCEPTION 'no client %', client USING ERRCODE = 'no_data_found';
        END IF;
        IF backmap.may_read(client) THEN
            RETURN;
        END IF;
        IF NOT ({_IS_OWNER} OR backmap.shared_with_me(client)) THEN
            RAISE EXCEPTION 'client % is neither yours nor shared with you', client
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        PERFORM backmap.audit('read', client, 'record opened');
    END
    $$
    """,
    # A session's client, opened as by open_client: what a store does first in a transaction on one session.
    f"""
    CREATE FUNCTION backmap.open_session(of_session text) RETURNS text LANGUAGE plpgsql {_DEFINER} AS $$
    DECLARE
        client text := (SELECT client_id FROM backmap.sessions WHERE id = of_session);
    BEGIN
        IF client IS NULL THEN
            RAISE EXCEPTION 'no session %', of_session USING ERRCODE = 'no_data_found';
        END IF;
        PERFORM backmap.open_client(client);
        RETURN client;
    END
    $$
    """,
    # The plans no session gives any more (one replaced, a session discarded, a client erased): nobody can see
    # them to delete them, since a plan is visible through the sessions that give it.
    f"""
    CREATE FUNCTION backmap.drop_unused_plans() RETURNS void LANGUAGE sql {_DEFINER} AS $$
        DELETE FROM backmap.plans WHERE NOT EXISTS (SELECT 1 FROM backmap.sessions WHERE plan_sha256 = plans.sha256)
    $$
    """,
    f"""
    CREATE FUNCTION backmap.share_client(client text, colleague text) RETURNS void LANGUAGE plpgsql {_DEFINER} AS $$
    BEGIN
        IF NOT (backmap.treats(client) OR {_IS_OWNER}) THEN
            RAISE EXCEPTION 'only the client''s therapist or the owner shares client %', client
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM backmap.people WHERE role = colleague AND kind IN ('therapist', 'owner')) THEN
            RAISE EXCEPTION '% is not a therapist of the clinic', colleague USING ERRCODE = 'invalid_parameter_value';
        END IF;
        INSERT INTO backmap.client_shares (client_id, therapist) VALUES (client, colleague) ON CONFLICT DO NOTHING;
        PERFORM backmap.audit('share', client, 'shared with ' || colleague);
    END
    $$
    """,
    f"""
    CREATE FUNCTION backmap.unshare_client(client text, colleague text) RETURNS void LANGUAGE plpgsql {_DEFINER} AS $$
    BEGIN
        IF NOT (backmap.treats(client) OR {_IS_OWNER}) THEN
            RAISE EXCEPTION 'only the client''s therapist or the owner unshares client %', client
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        DELETE FROM backmap.client_shares WHERE client_id = client AND therapist = colleague;
        PERFORM backmap.audit('unshare', client, 'no longer shared with ' || colleague);
    END
    $$
    """,
    # The app calls this once an export is written: `what` says what and where to, never a client's data.
    f"""
    CREATE FUNCTION backmap.log_export(client text, what text) RETURNS void LANGUAGE plpgsql {_DEFINER} AS $$
    BEGIN
        IF NOT backmap.may_read(client) THEN
            RAISE EXCEPTION 'client % is not open to you: open_client first', client
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        PERFORM backmap.audit('export', client, what);
    END
    $$
    """,
    # Right to erasure: the client and everything about them (by cascade); the log keeps the id only.
    f"""
    CREATE FUNCTION backmap.erase_client(client text) RETURNS void LANGUAGE plpgsql {_DEFINER} AS $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM backmap.clients WHERE id = client) THEN
            RAISE EXCEPTION 'no client %', client USING ERRCODE = 'no_data_found';
        END IF;
        IF NOT (backmap.treats(client) OR {_IS_OWNER}) THEN
            RAISE EXCEPTION 'only the client''s therapist or the owner erases client %', client
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        PERFORM backmap.audit('erase', client, 'client erased with every record');
        DELETE FROM backmap.clients WHERE id = client;
    END
    $$
    """,
    # Every change, row by row: which table, which columns (never a value: notes are health data). Rows deleted
    # along with their session or client are covered by that one's entry.
    f"""
    CREATE FUNCTION backmap.record_change() RETURNS trigger LANGUAGE plpgsql {_DEFINER} AS $$
    DECLARE
        after jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;
        before jsonb := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END;
        subject jsonb := coalesce(after, before);
        client text;
        changed text;
    BEGIN
        client := CASE TG_TABLE_NAME
            WHEN 'clients' THEN subject ->> 'id'
            WHEN 'intakes' THEN subject ->> 'client_id'
            WHEN 'sessions' THEN subject ->> 'client_id'
            ELSE (SELECT s.client_id FROM backmap.sessions s WHERE s.id = subject ->> 'session_id')
        END;
        IF TG_OP = 'DELETE' AND TG_TABLE_NAME <> 'clients'
            AND NOT EXISTS (SELECT 1 FROM backmap.clients c WHERE c.id = client) THEN
            RETURN NULL;  -- went with its session or client, which is logged
        END IF;
        IF TG_OP = 'UPDATE' THEN
            SELECT string_agg(field.key, ', ' ORDER BY field.key) INTO changed FROM jsonb_each(after) AS field
            WHERE field.value IS DISTINCT FROM before -> field.key AND field.key <> 'version';
            IF changed IS NULL THEN
                RETURN NULL;  -- the version alone: a write to the record's parts, which log themselves
            END IF;
        END IF;
        PERFORM backmap.audit(lower(TG_OP), client, TG_TABLE_NAME || coalesce(': ' || changed, ''));
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION backmap.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
)

# Schema version 2: the announcement of every change (schema.STEPS[2] adds it to a version 1 clinic). NOTIFY is
# sent at commit, once per client and transaction however many rows changed, and never for a rolled-back change.
ANNOUNCING: tuple[str, ...] = (
    f"""
    CREATE FUNCTION backmap.announce_change() RETURNS trigger LANGUAGE plpgsql {_DEFINER} AS $$
    DECLARE
        subject jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
        client text := CASE TG_TABLE_NAME
            WHEN 'clients' THEN subject ->> 'id'
            WHEN 'intakes' THEN subject ->> 'client_id'
            WHEN 'sessions' THEN subject ->> 'client_id'
            ELSE (SELECT s.client_id FROM backmap.sessions s WHERE s.id = subject ->> 'session_id')
        END;
    BEGIN
        IF client IS NOT NULL THEN  -- NULL: the row went with its session, which announces itself
            PERFORM pg_notify('{CHANGES_CHANNEL}', client);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    *(
        f"CREATE TRIGGER {table}_announced AFTER INSERT OR UPDATE OR DELETE ON backmap.{table} "
        "FOR EACH ROW EXECUTE FUNCTION backmap.announce_change()"
        for table in AUDITED
    ),
    "REVOKE ALL ON FUNCTION backmap.announce_change() FROM PUBLIC",
)

TRIGGERS: tuple[str, ...] = (
    *ANNOUNCING,
    *(
        f"CREATE TRIGGER {table}_audited AFTER INSERT OR UPDATE OR DELETE ON backmap.{table} "
        "FOR EACH ROW EXECUTE FUNCTION backmap.record_change()"
        for table in AUDITED
    ),
    "CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE OR DELETE ON backmap.audit_log "
    "FOR EACH ROW EXECUTE FUNCTION backmap.refuse('the audit log is append-only')",
    "CREATE TRIGGER audit_log_keeps_every_entry BEFORE TRUNCATE ON backmap.audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION backmap.refuse('the audit log is append-only')",
    "CREATE TRIGGER amendments_are_never_edited BEFORE UPDATE ON backmap.amendments "
    "FOR EACH ROW EXECUTE FUNCTION backmap.refuse('amendments are never edited')",
)

_TREATING = f"{OWNER}, {THERAPIST}"
_OF_OPEN_SESSION = "backmap.may_read_session(session_id)"
_SEES_CLIENT = "therapist = session_user OR backmap.shared_with_me(id)"
_A_THERAPIST = "therapist IN (SELECT role FROM backmap.people WHERE kind IN ('therapist', 'owner'))"

SESSION_ROWS_POLICIES = tuple(
    f"CREATE POLICY treating ON backmap.{table} TO {_TREATING} "
    f"USING ({_OF_OPEN_SESSION}) WITH CHECK ({_OF_OPEN_SESSION})"
    for table in SESSION_TABLES
)

POLICIES: tuple[str, ...] = (
    *(f"ALTER TABLE backmap.{table} ENABLE ROW LEVEL SECURITY" for table in WITH_ROW_SECURITY),
    *(f"ALTER TABLE backmap.{table} FORCE ROW LEVEL SECURITY" for table in WITH_ROW_SECURITY),
    # The SECURITY DEFINER functions run as the schema's owner, which nobody logs in as: they see every row.
    *(
        f"CREATE POLICY definer ON backmap.{table} TO {SCHEMA_OWNER} USING (true) WITH CHECK (true)"
        for table in WITH_ROW_SECURITY
    ),
    f"CREATE POLICY owner ON backmap.clients TO {OWNER} USING (true) WITH CHECK (true)",
    f"CREATE POLICY therapist_reads ON backmap.clients FOR SELECT TO {THERAPIST} USING ({_SEES_CLIENT})",
    f"CREATE POLICY therapist_adds ON backmap.clients FOR INSERT TO {THERAPIST} WITH CHECK (therapist = session_user)",
    f"CREATE POLICY therapist_edits ON backmap.clients FOR UPDATE TO {THERAPIST} "
    f"USING ({_SEES_CLIENT}) WITH CHECK ({_SEES_CLIENT})",
    f"CREATE POLICY therapist_erases ON backmap.clients FOR DELETE TO {THERAPIST} USING (therapist = session_user)",
    f"CREATE POLICY reception_reads ON backmap.clients FOR SELECT TO {RECEPTIONIST} USING (true)",
    f"CREATE POLICY reception_adds ON backmap.clients FOR INSERT TO {RECEPTIONIST} WITH CHECK ({_A_THERAPIST})",
    f"CREATE POLICY reception_edits ON backmap.clients FOR UPDATE TO {RECEPTIONIST} USING (true) WITH CHECK (true)",
    *(
        f"CREATE POLICY treating ON backmap.{table} TO {_TREATING} "
        "USING (backmap.may_read(client_id)) WITH CHECK (backmap.may_read(client_id))"
        for table in CLIENT_TABLES
    ),
    *SESSION_ROWS_POLICIES,
    # A plan is stored once for every session that gave it: readable through any of them that is open.
    f"CREATE POLICY treating_reads ON backmap.plans FOR SELECT TO {_TREATING} "
    "USING (EXISTS (SELECT 1 FROM backmap.sessions s WHERE s.plan_sha256 = sha256))",
    f"CREATE POLICY treating_adds ON backmap.plans FOR INSERT TO {_TREATING} WITH CHECK (true)",
    f"CREATE POLICY owner ON backmap.client_shares FOR SELECT TO {OWNER} USING (true)",
    f"CREATE POLICY therapist ON backmap.client_shares FOR SELECT TO {THERAPIST} "
    "USING (therapist = session_user OR backmap.treats(client_id))",
    f"CREATE POLICY owner ON backmap.audit_log FOR SELECT TO {OWNER} USING (true)",
)

_SESSION_CHECK_GRANT = f"GRANT EXECUTE ON FUNCTION backmap.may_read_session(text) TO {_TREATING}"
_CLINICAL = ", ".join(f"backmap.{table}" for table in (*CLIENT_TABLES, *SESSION_TABLES, "plans"))
_EVERYONE = f"{OWNER}, {THERAPIST}, {RECEPTIONIST}"

GRANTS: tuple[str, ...] = (
    "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA backmap FROM PUBLIC",
    f"GRANT USAGE ON SCHEMA backmap TO {_EVERYONE}",
    f"GRANT SELECT ON backmap.people, backmap.schema_version TO {_EVERYONE}",
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON backmap.clients, {_CLINICAL} TO {OWNER}",
    f"GRANT SELECT ON backmap.audit_log, backmap.client_shares TO {OWNER}",
    f"GRANT SELECT, INSERT, DELETE ON backmap.clients TO {THERAPIST}",
    f"GRANT UPDATE ({', '.join(CONTACT_COLUMNS)}) ON backmap.clients TO {THERAPIST}, {RECEPTIONIST}",
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON {_CLINICAL} TO {THERAPIST}",
    f"GRANT SELECT ON backmap.client_shares TO {THERAPIST}",
    f"GRANT SELECT, INSERT ON backmap.clients TO {RECEPTIONIST}",
    # Policies call these as the person, so the person must be allowed to.
    f"GRANT EXECUTE ON FUNCTION backmap.treats(text), backmap.shared_with_me(text), backmap.may_read(text) "
    f"TO {_TREATING}",
    _SESSION_CHECK_GRANT,
    "GRANT EXECUTE ON FUNCTION backmap.open_client(text), backmap.open_session(text), "
    "backmap.drop_unused_plans(), backmap.share_client(text, text), "
    "backmap.unshare_client(text, text), backmap.log_export(text, text), backmap.erase_client(text) "
    f"TO {_TREATING}",
)

# Version 2 -> 3 (schema.STEPS[3]): the checks replaced, and the session tables' policies made to call theirs.
CHECKS_BY_INDEX: tuple[str, ...] = (
    *READ_CHECKS,
    "REVOKE ALL ON FUNCTION backmap.may_read_session(text) FROM PUBLIC",
    _SESSION_CHECK_GRANT,
    *(f"DROP POLICY IF EXISTS treating ON backmap.{table}" for table in SESSION_TABLES),
    *SESSION_ROWS_POLICIES,
)
