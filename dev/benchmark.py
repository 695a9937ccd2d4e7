"""Benchmark of the payment follow-ups at a mid-size company's size.

Creates (once) a database with 10,000 customers and 100,000 posted customer
invoices, 30,000 of them open and spread over every follow-up level, then
measures what the accountant waits for and what the server pays: the status
search against its SQL floor, the statements screen's server calls, the
scheduled action's throughput, the 500-letter PDF, the peak memory of a full
run, the SQL queries per customer and the follow-up analysis' reports. Each
figure is the median of several runs, printed beside the size it ran on and
its target.

    bash dev/dev.sh bench [--scale 0.1] [--runs 5] [--rebuild]
    python dev/benchmark.py [-c odoo.conf | --db-host HOST --db-port PORT] [--scale 1] ...

The populated database is kept as a template (``<database>_tpl_<customers>``)
and copied for every run, so that the measurements, which execute follow-ups,
always start from the same data; ``--rebuild`` creates it again.

How the data is made: the customers, the follow-up plan and one prototype of
each kind of entry (an open invoice; a paid invoice with the journal entry
that paid it and their reconciliation) are created by Odoo's ORM; the
historical invoices are copies of these prototypes made by bulk SQL, with
their own customer, number, dates, amounts and follow-up history, so every
column holds what Odoo itself would have written (amounts scale linearly: no
taxes). Not copied: chatter messages and followers of the invoices.
"""

import argparse
import contextlib
import io
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta

MODULE = "account_payment_followup"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FULL_CUSTOMERS = 10000
INVOICES_PER_CUSTOMER = 10  # 100,000 invoices at full size
OPEN_PER_CUSTOMER = 3  # 30,000 open invoices
QUERY_BATCH = 20  # customers of the batch in which the queries per customer are also counted
BIG_CUSTOMER_INVOICES = 200
LETTERS = 500
BATCH = 100  # customers per batch of the scheduled action (its default)
PROTO_AMOUNT = 100.0
# Where a customer's oldest open item stands, in days after its due date: one
# band per level of the default plan (-3, 1, 15, 35, 60) and one before it.
AGE_BANDS = [(-20, -4), (-3, 0), (1, 14), (15, 34), (35, 59), (60, 120)]

INSTALL_OPTIONS = ["--without-demo=all", "--stop-after-init", "--no-http", "--log-level=warn"]
# Targets of the follow-up pipeline (issue "One follow-up pipeline"): the screen's
# first page and the status search against its SQL floor; customers per second
# and SQL queries per customer of the scheduled action at each kind of level.
TARGETS = {
    "status_search_ms": 300,
    "status_search_ratio": 1.2,
    "screen_first_page_ms": 150,
    "screen_call_ms": 500,
    "email_per_s": 60,
    "manual_per_s": 80,
    "email_queries": 20,
    "manual_queries": 15,
    "letters_pdf_s": 60,
    "peak_memory_mib": 1024,
    "analysis_ms": 1000,
}


# --------------------------------------------------------------------------
# Set-up: configuration, databases
# --------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", help="an Odoo configuration (dev.sh's); else one is written")
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", ""), help="PostgreSQL host or socket folder")
    parser.add_argument("--db-port", default=os.environ.get("PGPORT", "5432"))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "odoo"))
    parser.add_argument("--database", default="apf_bench", help="database measured (copied from its template)")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (10,000 customers)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--pdf-runs", type=int, default=3, help="runs of the 500-letter PDF")
    parser.add_argument("--rebuild", action="store_true", help="create the template database again")
    parser.add_argument("--no-full-run", action="store_true", help="skip the full scheduled run (peak memory)")
    parser.add_argument("--work", default=os.path.join(REPO, ".dev", "bench"), help="scratch folder")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["status_search", "statements_screen", "query_counts", "throughput", "letters", "analysis"],
        help="measure only these (no full scheduled run)",
    )
    parser.add_argument("--peer-src", metavar="DIR", help="compare with OCA account_credit_control (only)")
    parser.add_argument(
        "--queue-workers",
        type=int,
        metavar="N",
        help="run the scheduled action through OCA queue_job with N Odoo workers (only)",
    )
    parser.add_argument(
        "--queue-batch", type=int, default=BATCH, metavar="N", help="customers per job with --queue-workers"
    )
    parser.add_argument("--child", choices=["full-run"], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def read_config(args):
    """Take the database settings (only) from the given Odoo configuration."""
    import configparser

    parser = configparser.ConfigParser()
    parser.read(args.config)
    options = parser["options"]
    for key in ("db_host", "db_port", "db_user"):
        value = options.get(key)
        if value and value != "False":
            setattr(args, key, value)
    return args.config


_SMTP_SINK = []


def dead_smtp_port():
    """A local port this process holds without listening on it: an SMTP
    connection to it is refused, whatever else runs on this machine (such as
    the mail catcher of ``dev.sh run``). The benchmark sends nothing anywhere."""
    if not _SMTP_SINK:
        sink = socket.socket()
        sink.bind(("127.0.0.1", 0))
        _SMTP_SINK.append(sink)
    return _SMTP_SINK[0].getsockname()[1]


def write_config(args):
    """An Odoo configuration for this checkout: Odoo's own addons plus a link
    to the repository under the module's name (Odoo finds addons by folder).
    Always the benchmark's own, also when ``-c`` gives the database settings:
    its e-mails go to a port where nothing listens, never to a mail server."""
    import odoo.addons

    addons = os.path.join(args.work, "addons")
    os.makedirs(addons, exist_ok=True)
    link = os.path.join(addons, MODULE)
    if os.path.realpath(link) != REPO:
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(REPO, link)
    odoo_addons = os.path.dirname(odoo.addons.__file__)
    config = os.path.join(args.work, "odoo-bench.conf")
    with open(config, "w", encoding="utf-8") as out:
        out.write(
            "[options]\n"
            f"addons_path = {odoo_addons},{addons}\n"
            f"data_dir = {os.path.join(args.work, 'data')}\n"
            f"db_host = {args.db_host or 'False'}\n"
            f"db_port = {args.db_port}\n"
            f"db_user = {args.db_user}\n"
            "db_password = False\n"
            "; nothing is sent: e-mails stay queued, nothing listens on this port\n"
            "smtp_server = 127.0.0.1\n"
            f"smtp_port = {dead_smtp_port()}\n"
        )
    return config


def admin_connection(args):
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", host=args.db_host or None, port=args.db_port, user=args.db_user)
    conn.autocommit = True
    return conn


def db_exists(args, name):
    with admin_connection(args) as conn, conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return bool(cr.fetchone())


def drop_db(args, name):
    from psycopg2 import sql

    conn = admin_connection(args)
    with conn.cursor() as cr:
        cr.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    conn.close()


def copy_db(args, template, name):
    from psycopg2 import sql

    drop_db(args, name)
    conn = admin_connection(args)
    with conn.cursor() as cr:
        cr.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    conn.close()


def release_db(name):
    """Close this process's connections to ``name`` (before copying it)."""
    import odoo

    odoo.modules.registry.Registry.delete(name)
    odoo.sql_db.close_db(name)


def template_ready(args, template):
    if not db_exists(args, template):
        return False
    import psycopg2

    conn = psycopg2.connect(dbname=template, host=args.db_host or None, port=args.db_port, user=args.db_user)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT value FROM ir_config_parameter WHERE key = 'apf_bench.built_on'")
            return bool(cr.fetchone())
    except psycopg2.Error:
        return False
    finally:
        conn.close()


def size_of(scale):
    customers = max(60, round(FULL_CUSTOMERS * scale))
    return {"customers": customers}


# --------------------------------------------------------------------------
# Data: customers by the ORM, historical invoices by bulk SQL
# --------------------------------------------------------------------------


def build_template(args, config, template):
    started = time.monotonic()
    drop_db(args, template)
    log(f"creating {template}: installing {MODULE} (without demo data)")
    subprocess.run(
        [sys.executable, "-m", "odoo", "-c", config, "-d", template, "-i", MODULE, *INSTALL_OPTIONS],
        check=True,
    )
    import odoo

    registry = odoo.registry(template)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        populate(env, size_of(args.scale)["customers"])
    with registry.cursor() as cr:
        cr.execute("ANALYZE")
    release_db(template)
    log(f"{template} ready in {time.monotonic() - started:.0f} s")


def populate(env, n_customers):
    from odoo import Command

    today = date.today()
    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    belgium = env.ref("base.be")
    company.write(
        {
            "payment_followup_enabled": True,
            "followup_max_emails": 0,  # no cap: the benchmark runs every level due
            "email": "accounts@company.example.com",
            "street": "Rue de la Loi 16",
            "city": "Bruxelles",
            "zip": "1000",
            "country_id": belgium.id,
        }
    )
    env.ref("base.user_admin").email = "admin@company.example.com"
    levels = env["account.followup.level"].search([("company_id", "=", company.id)], order="delay")
    levels.write({"join_invoices": False})
    ctx = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True}
    Partner = env["res.partner"].with_context(**ctx)

    def customer_vals(name, ref):
        return {
            "name": name,
            "ref": ref,
            "is_company": True,
            "customer_rank": 1,
            "email": f"{ref.lower()}@customer.example.com",
            "street": f"Avenue Louise {ref[-3:]}",
            "city": "Bruxelles",
            "zip": "1050",
            "country_id": belgium.id,
            "lang": "en_US",
        }

    log(f"creating {n_customers} customers")
    customers = Partner.create([customer_vals(f"Customer {k:05d}", f"C{k:05d}") for k in range(n_customers)])
    specials = Partner.create(
        [
            customer_vals(f"Bench {kind} {count} invoice(s)", f"B{kind[0].upper()}{count:03d}")
            for kind in ("email", "manual")
            for count in (1, BIG_CUSTOMER_INVOICES)
        ]
    )
    # 1% of the customers are in manual mode, half of them planned for today.
    manual = customers.filtered(lambda p: p.id % 100 == 0)
    manual.write({"followup_reminder_type": "manual", "followup_planned_date": today + timedelta(days=7)})
    manual.filtered(lambda p: p.id % 200 == 0).write({"followup_planned_date": today})

    log("creating the prototypes (ORM)")
    protos = make_prototypes(env, Command)
    rows = plan_invoices(customers, specials, levels, today)
    log(f"copying {len(rows)} invoices by bulk SQL")
    bulk_insert(env, protos, rows)
    env["ir.config_parameter"].set_param("apf_bench.built_on", today.isoformat())
    env.cr.commit()


def make_prototypes(env, Command):
    """One open invoice, one paid invoice with the entry that paid it."""
    company = env.company
    term = env.ref("account.account_payment_term_30days")
    partner = env["res.partner"].create({"name": "Bench prototype", "customer_rank": 1})
    income = env["account.account"].search([("company_id", "=", company.id), ("account_type", "=", "income")], limit=1)
    bank = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
    misc = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "general")], limit=1)

    def invoice():
        move = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date.today() - timedelta(days=40),
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Services",
                            "quantity": 1,
                            "price_unit": PROTO_AMOUNT,
                            "tax_ids": [],
                            "account_id": income.id,
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    open_invoice, paid_invoice = invoice(), invoice()
    receivable = paid_invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
    payment = env["account.move"].create(
        {
            "move_type": "entry",
            "journal_id": misc.id,
            "date": date.today() - timedelta(days=5),
            "ref": "Bank transfer",
            "line_ids": [
                Command.create(
                    {"account_id": bank.default_account_id.id, "partner_id": partner.id, "debit": PROTO_AMOUNT}
                ),
                Command.create(
                    {"account_id": receivable.account_id.id, "partner_id": partner.id, "credit": PROTO_AMOUNT}
                ),
            ],
        }
    )
    payment.action_post()
    (receivable + payment.line_ids.filtered(lambda line: line.account_id == receivable.account_id)).reconcile()
    env.flush_all()
    assert paid_invoice.payment_state in ("paid", "in_payment"), paid_invoice.payment_state

    def lines(move):
        rec = move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        return rec, move.line_ids - rec

    open_rec, open_other = lines(open_invoice)
    paid_rec, paid_other = lines(paid_invoice)
    pay_rec, pay_other = lines(payment)
    return {
        "partner": partner.id,
        "open_move": open_invoice.id,
        "open_rec": open_rec.id,
        "open_other": open_other.id,
        "paid_move": paid_invoice.id,
        "paid_rec": paid_rec.id,
        "paid_other": paid_other.id,
        "pay_move": payment.id,
        "pay_rec": pay_rec.id,
        "pay_other": pay_other.id,
        "partial": receivable.matched_credit_ids.id,
        "full": receivable.full_reconcile_id.id,
        "open_name": open_invoice.name,
        "paid_name": paid_invoice.name,
        "pay_name": payment.name,
    }


def plan_invoices(customers, specials, levels, today):
    """One dict per invoice: customer, dates, amount, open or paid, the
    follow-up level its receivable item already received."""
    delays = [(level.id, level.delay) for level in levels]

    def reached(due):
        days = (today - due).days
        return [(lid, delay) for lid, delay in delays if delay <= days]

    rows = []
    for k, customer in enumerate(customers):
        low, high = AGE_BANDS[k % len(AGE_BANDS)]
        age = low + (k // len(AGE_BANDS)) % (high - low + 1)
        for j in range(INVOICES_PER_CUSTOMER):
            amount = 100 + ((k * 7 + j * 13) % 40) * 25
            if j >= INVOICES_PER_CUSTOMER - OPEN_PER_CUSTOMER:
                due = today - timedelta(days=age - 9 * (j - INVOICES_PER_CUSTOMER + OPEN_PER_CUSTOMER))
                levels_reached = reached(due)
                # Half the customers of each band already received the level they
                # reached, the others the level before: they are due for a level.
                received = levels_reached[-1:] if (k // len(AGE_BANDS)) % 2 else levels_reached[-2:-1]
                rows.append(invoice_row(customer, due, amount, received))
            else:
                invoice_date = today - timedelta(days=90 + (6 - j) * 55 + k % 20)
                paid_on = invoice_date + timedelta(days=25 + (k + j) % 20)
                rows.append(invoice_row(customer, invoice_date + timedelta(days=30), amount, [], paid_on))
    for index, customer in enumerate(specials):
        # e-mail level (-3: oldest due in 2 days) or manual level (15: 20 days late)
        first_due = today + timedelta(days=2) if index < 2 else today - timedelta(days=20)
        count = 1 if index % 2 == 0 else BIG_CUSTOMER_INVOICES
        for j in range(count):
            due = first_due + timedelta(days=j % 60)
            rows.append(invoice_row(customer, due, 100 + (j % 10) * 10, []))
    return rows


def invoice_row(customer, due, amount, received, paid_on=None):
    level_id, delay = received[0] if received else (None, None)
    return {
        "partner_id": customer.id,
        "partner_name": customer.name,
        "invoice_date": due - timedelta(days=30),
        "due_date": due,
        "amount": amount,
        "paid_on": paid_on,
        "level_id": level_id,
        "level_date": due + timedelta(days=delay) if level_id else None,
    }


def reserve_ids(cr, table, count):
    """Ids for ``count`` new rows of ``table``, taken from its sequence."""
    cr.execute(f"SELECT nextval('{table}_id_seq')")
    first = cr.fetchone()[0]
    cr.execute(f"SELECT setval('{table}_id_seq', %s)", [first + count])
    return first


def sequence_parts(proto_name, day, number):
    """(name, prefix) like Odoo's for ``day``, after the prototype's format
    (INV/2026/00001 yearly, MISC/2026/01/0001 monthly)."""
    parts = proto_name.split("/")
    width = len(parts[-1])
    prefix = f"{parts[0]}/{day.year}/" + (f"{day.month:02d}/" if len(parts) == 4 else "")
    return f"{prefix}{number:0{width}d}", prefix


def number_moves(cr, rows, proto_name, journal_id, date_key, name_key):
    """Give every new move the next number of its period, after those used."""
    counters = {}
    for row in sorted(rows, key=lambda r: (r[date_key], r["move_id" if name_key == "name" else "pay_move_id"])):
        _name, prefix = sequence_parts(proto_name, row[date_key], 0)
        if prefix not in counters:
            cr.execute(
                "SELECT COALESCE(MAX(sequence_number), 0) FROM account_move WHERE journal_id = %s AND sequence_prefix = %s",
                [journal_id, prefix],
            )
            counters[prefix] = cr.fetchone()[0]
        counters[prefix] += 1
        row[name_key], row[name_key + "_prefix"] = sequence_parts(proto_name, row[date_key], counters[prefix])
        row[name_key + "_number"] = counters[prefix]


def bulk_insert(env, protos, rows):
    cr = env.cr
    paid = [row for row in rows if row["paid_on"]]
    move_id = reserve_ids(cr, "account_move", len(rows) + len(paid))
    line_id = reserve_ids(cr, "account_move_line", 2 * (len(rows) + len(paid)))
    partial_id = reserve_ids(cr, "account_partial_reconcile", len(paid))
    full_id = reserve_ids(cr, "account_full_reconcile", len(paid))
    for index, row in enumerate(rows):
        row["move_id"] = move_id + index
        row["rec_line_id"], row["other_line_id"] = line_id + 2 * index, line_id + 2 * index + 1
    for index, row in enumerate(paid):
        row["pay_move_id"] = move_id + len(rows) + index
        base = line_id + 2 * len(rows) + 2 * index
        row["pay_rec_line_id"], row["pay_other_line_id"] = base, base + 1
        row["partial_id"], row["full_id"] = partial_id + index, full_id + index
    cr.execute(
        "SELECT journal_id FROM account_move WHERE id IN %s ORDER BY id", [(protos["paid_move"], protos["pay_move"])]
    )
    sale_journal, misc_journal = (r[0] for r in cr.fetchall())
    number_moves(cr, rows, protos["paid_name"], sale_journal, "invoice_date", "name")
    number_moves(cr, paid, protos["pay_name"], misc_journal, "paid_on", "pay_name")
    load_staging(cr, rows)

    now = "(now() at time zone 'UTC')"
    inv_dates = {"date": "b.invoice_date", "invoice_date": "b.invoice_date", "invoice_date_due": "b.due_date"}
    inv_line_dates = {"date": "b.invoice_date", "invoice_date": "b.invoice_date", "date_maturity": "b.due_date"}
    names = {"name": "b.name", "sequence_prefix": "b.name_prefix", "sequence_number": "b.name_number"}
    clone(cr, "account_full_reconcile", protos["full"], "b.full_id", "b.paid_on IS NOT NULL", {}, {}, None)
    for kind, where in (("open", "b.paid_on IS NULL"), ("paid", "b.paid_on IS NOT NULL")):
        remap = {
            ("res_partner", protos["partner"]): "b.partner_id",
            ("account_move", protos[f"{kind}_move"]): "b.move_id",
        }
        if kind == "paid":
            remap[("account_full_reconcile", protos["full"])] = "b.full_id"
        clone(
            cr,
            "account_move",
            protos[f"{kind}_move"],
            "b.move_id",
            where,
            remap,
            {**inv_dates, **names, "payment_reference": "b.name", "invoice_partner_display_name": "b.partner_name"},
            protos[f"{kind}_name"],
        )
        rec_extra = {**inv_line_dates, "move_name": "b.name"}
        if kind == "open":
            rec_extra.update({"followup_level_id": "b.level_id", "followup_date": "b.level_date"})
        else:
            rec_extra["matching_number"] = "b.full_id::varchar"
        clone(
            cr,
            "account_move_line",
            protos[f"{kind}_rec"],
            "b.rec_line_id",
            where,
            remap,
            rec_extra,
            protos[f"{kind}_name"],
        )
        clone(
            cr,
            "account_move_line",
            protos[f"{kind}_other"],
            "b.other_line_id",
            where,
            remap,
            {**inv_line_dates, "move_name": "b.name"},
            protos[f"{kind}_name"],
        )
    where = "b.paid_on IS NOT NULL"
    remap = {
        ("res_partner", protos["partner"]): "b.partner_id",
        ("account_move", protos["pay_move"]): "b.pay_move_id",
        ("account_full_reconcile", protos["full"]): "b.full_id",
    }
    pay_names = {"name": "b.pay_name", "sequence_prefix": "b.pay_name_prefix", "sequence_number": "b.pay_name_number"}
    clone(
        cr,
        "account_move",
        protos["pay_move"],
        "b.pay_move_id",
        where,
        remap,
        {"date": "b.paid_on", **pay_names},
        protos["pay_name"],
    )
    pay_lines = {"date": "b.paid_on", "move_name": "b.pay_name"}
    clone(
        cr,
        "account_move_line",
        protos["pay_rec"],
        "b.pay_rec_line_id",
        where,
        remap,
        {**pay_lines, "matching_number": "b.full_id::varchar"},
        protos["pay_name"],
    )
    clone(
        cr, "account_move_line", protos["pay_other"], "b.pay_other_line_id", where, remap, pay_lines, protos["pay_name"]
    )
    remap.update(
        {
            ("account_move_line", protos["paid_rec"]): "b.rec_line_id",
            ("account_move_line", protos["pay_rec"]): "b.pay_rec_line_id",
        }
    )
    clone(
        cr,
        "account_partial_reconcile",
        protos["partial"],
        "b.partial_id",
        where,
        remap,
        {"max_date": "GREATEST(b.paid_on, b.invoice_date)"},
        None,
    )
    cr.execute(f"UPDATE account_move SET create_date = {now}, write_date = {now} WHERE id >= %s", [move_id])
    bulk_steps(env)
    cr.execute("DROP TABLE bench_invoice")


def bulk_steps(env):
    """The follow-up history (account.followup.step and its actions): each
    invoice received every level of the plan due before it was paid (an open
    one: up to the level its item received), one step per invoice and level,
    dated on the level's day; about 1.6 steps per invoice."""
    cr = env.cr
    cr.execute(
        """
        CREATE TEMPORARY TABLE bench_step AS
        SELECT row_number() OVER (ORDER BY b.move_id, level.delay) - 1 AS n,
               b.partner_id, b.rec_line_id, b.amount, b.paid_on, level.id AS level_id, level.plan_id,
               level.auto_execute,
               level.send_email, level.send_letter, level.send_sms, level.manual_action,
               b.due_date + level.delay AS date
          FROM bench_invoice b
          JOIN account_followup_level level ON level.company_id = %(company)s
     LEFT JOIN account_followup_level received ON received.id = b.level_id
         WHERE b.due_date + level.delay <= CURRENT_DATE
           AND CASE WHEN b.paid_on IS NULL THEN level.delay <= received.delay
                    ELSE b.due_date + level.delay < b.paid_on END
        """,
        {"company": env.company.id},
    )
    cr.execute("SELECT count(*) FROM bench_step")
    count = cr.fetchone()[0]
    first = reserve_ids(cr, "account_followup_step", count)
    values = {"first": first, "company": env.company.id, "user": env.ref("base.user_root").id}
    cr.execute(
        """
        INSERT INTO account_followup_step (id, partner_id, company_id, level_id, plan_id, date, user_id, automatic,
                                           state, amount_due, amount_overdue, create_uid, create_date, write_uid,
                                           write_date)
        SELECT %(first)s + n, partner_id, %(company)s, level_id, plan_id, date, %(user)s, auto_execute,
               CASE WHEN manual_action AND paid_on IS NULL THEN 'in_progress' ELSE 'done' END, amount, amount,
               %(user)s, date, %(user)s, date
          FROM bench_step;
        INSERT INTO account_followup_step_move_line_rel (step_id, move_line_id)
        SELECT %(first)s + n, rec_line_id FROM bench_step;
        INSERT INTO account_followup_step_channel (step_id, sequence, channel, state, partner_id, company_id,
                                                   level_id, date, create_uid, create_date, write_uid, write_date)
        SELECT %(first)s + n, sequence, channel,
               CASE WHEN channel = 'manual' AND paid_on IS NULL THEN 'to_do' ELSE 'sent' END,
               partner_id, %(company)s, level_id, date, %(user)s, date, %(user)s, date
          FROM bench_step
         CROSS JOIN LATERAL (VALUES (1, 'email', send_email), (2, 'letter', send_letter), (3, 'sms', send_sms),
                                    (4, 'manual', manual_action)) AS action(sequence, channel, used)
         WHERE used;
        DROP TABLE bench_step;
        """,
        values,
    )
    Step = env["account.followup.step"]
    if "amount_concerned" in Step._fields:
        # the follow-up analysis' figures, stored on the steps: computed by the
        # model's own query, written in bulk
        from odoo.tools import SQL

        cr.execute(
            SQL(
                """
                UPDATE account_followup_step step
                   SET amount_concerned = figures.amount, paid_7 = figures.paid_7, paid_14 = figures.paid_14,
                       paid_30 = figures.paid_30, paid_since = figures.paid, paid_date = figures.paid_date
                  FROM (%s) AS figures(id, amount, paid_7, paid_14, paid_30, paid, paid_date)
                 WHERE step.id = figures.id
                """,
                Step._get_payment_figures_query(list(range(first, first + count))),
            )
        )
        if "by_email" in Step._fields:  # the versions before 17.0.2.2.0 stored a flag per channel
            cr.execute(
                """
                UPDATE account_followup_step step
                   SET by_email = used.email, by_letter = used.letter, by_sms = used.sms, by_manual = used.manual,
                       main_channel = CASE WHEN used.manual THEN 'manual' WHEN used.letter THEN 'letter'
                                           WHEN used.sms THEN 'sms' WHEN used.email THEN 'email' END
                  FROM (SELECT step_id, BOOL_OR(channel = 'email') AS email, BOOL_OR(channel = 'letter') AS letter,
                               BOOL_OR(channel = 'sms') AS sms, BOOL_OR(channel = 'manual') AS manual
                          FROM account_followup_step_channel
                         WHERE state IN ('sent', 'queued', 'to_do')
                      GROUP BY step_id) AS used
                 WHERE step.id = used.step_id
                """
            )
        else:
            # the main action: the used channel of the highest weight (the channel table)
            weights = [(channel.code, channel.weight) for channel in env["account.followup"]._get_channels()]
            cr.execute(
                SQL(
                    """
                    UPDATE account_followup_step step
                       SET main_channel = used.channel
                      FROM (SELECT DISTINCT ON (action.step_id) action.step_id, action.channel
                              FROM account_followup_step_channel action
                              JOIN (VALUES %s) AS weight(channel, weight) ON weight.channel = action.channel
                             WHERE action.state IN ('sent', 'queued', 'to_do')
                          ORDER BY action.step_id, weight.weight DESC) AS used
                     WHERE step.id = used.step_id
                    """,
                    SQL(", ").join(SQL("(%s, %s)", code, weight) for code, weight in weights),
                )
            )
    log(f"{count} follow-up steps")


STAGING_COLUMNS = {
    "move_id": "int", "rec_line_id": "int", "other_line_id": "int", "partner_id": "int",
    "partner_name": "varchar", "invoice_date": "date", "due_date": "date", "amount": "numeric",
    "paid_on": "date", "level_id": "int", "level_date": "date", "name": "varchar", "name_prefix": "varchar",
    "name_number": "int", "pay_move_id": "int", "pay_rec_line_id": "int", "pay_other_line_id": "int",
    "pay_name": "varchar", "pay_name_prefix": "varchar", "pay_name_number": "int", "partial_id": "int",
    "full_id": "int",
}  # fmt: skip


def load_staging(cr, rows):
    columns = list(STAGING_COLUMNS)
    cr.execute(
        "CREATE TEMPORARY TABLE bench_invoice ("
        + ", ".join(f"{name} {kind}" for name, kind in STAGING_COLUMNS.items())
        + ")"
    )
    buffer = io.StringIO()
    for row in rows:
        values = (row.get(column) for column in columns)
        buffer.write("\t".join("\\N" if value is None else str(value).replace("\t", " ") for value in values) + "\n")
    buffer.seek(0)
    cr.copy_expert(f"COPY bench_invoice ({', '.join(columns)}) FROM STDIN", buffer)
    cr.execute("ANALYZE bench_invoice")


def clone(cr, table, proto_id, new_id, where, remap, extra, proto_name):
    """Copy row ``proto_id`` of ``table`` once per staging row selected by
    ``where``: foreign keys to the prototype's records are remapped, amounts
    scaled to the row's amount, text equal to the prototype's number renamed,
    and ``extra`` columns set."""
    cr.execute(
        """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod),
               (SELECT c.confrelid::regclass::text FROM pg_constraint c
                 WHERE c.conrelid = a.attrelid AND c.contype = 'f' AND c.conkey = ARRAY[a.attnum])
          FROM pg_attribute a
         WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
        """,
        [table],
    )
    columns = cr.fetchall()
    cr.execute(f"SELECT * FROM {table} WHERE id = %s", [proto_id])
    proto = dict(zip([d[0] for d in cr.description], cr.fetchone(), strict=True))
    exprs = {}
    for column, kind, target in columns:
        value = proto[column]
        if column == "id":
            exprs[column] = new_id
        elif column in extra:
            exprs[column] = extra[column]
        elif column in ("create_date", "write_date"):
            exprs[column] = "(now() at time zone 'UTC')"
        elif target and (target, value) in remap:
            exprs[column] = remap[(target, value)]
        elif kind == "numeric" and value and abs(abs(float(value)) - PROTO_AMOUNT) < 0.001:
            exprs[column] = f"round(p.{column} * b.amount / {PROTO_AMOUNT}, 2)"
        elif proto_name and isinstance(value, str) and value == proto_name:
            exprs[column] = extra.get("name", "b.name")
        else:
            exprs[column] = f"p.{column}"
    names = ", ".join(f'"{column}"' for column in exprs)
    cr.execute(
        f"INSERT INTO {table} ({names}) SELECT {', '.join(exprs.values())} "
        f"FROM bench_invoice b, {table} p WHERE p.id = %s AND {where}",
        [proto_id],
    )


def shift_dates(env):
    """The template was built on another day: move every date by as many
    days, so that the invoices stand where they stood on the day it was built."""
    built_on = date.fromisoformat(env["ir.config_parameter"].get_param("apf_bench.built_on"))
    delta = (date.today() - built_on).days
    if not delta:
        return
    log(f"template built {delta} day(s) ago: moving every date by as many days")
    updates = {
        "account_move": ["date", "invoice_date", "invoice_date_due"],
        "account_move_line": ["date", "invoice_date", "date_maturity", "followup_date"],
        "account_partial_reconcile": ["max_date"],
        "account_followup_step": ["date"],
        "account_followup_step_channel": ["date", "done_date"],
    }
    for table, columns in updates.items():
        env.cr.execute(f"UPDATE {table} SET " + ", ".join(f"{c} = {c} + %(d)s" for c in columns), {"d": delta})
    env["ir.config_parameter"].set_param("apf_bench.built_on", date.today().isoformat())


# --------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args, registry, config):
        import odoo

        self.odoo = odoo
        self.config = config
        self.args = args
        self.registry = registry
        self.results = {}
        with self.cursor() as env:
            self.uid = env.ref("base.user_admin").id
            self.company_id = env.company.id
            self.size = self._size(env)

    @contextlib.contextmanager
    def cursor(self, uid=None):
        """A fresh transaction and environment, like one RPC call of the web
        client (committed at the end, as a request is)."""
        odoo = self.odoo
        with self.registry.cursor() as cr:
            env = odoo.api.Environment(cr, uid or odoo.SUPERUSER_ID, {})
            if uid:
                env = env(context=env["res.users"].context_get())
            yield env

    def _size(self, env):
        cr = env.cr
        cr.execute("SELECT count(*) FROM res_partner WHERE customer_rank > 0")
        customers = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*), count(*) FILTER (WHERE payment_state NOT IN ('paid', 'in_payment', 'reversed')) "
            "FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted'"
        )
        invoices, open_invoices = cr.fetchone()
        cr.execute("SELECT count(*) FROM account_move_line")
        lines = cr.fetchone()[0]
        return {"customers": customers, "invoices": invoices, "open_invoices": open_invoices, "lines": lines}

    def timed(self, name, func, runs=None, warmup=True):
        """Median wall time (ms) of ``func(env)``, each run in a fresh transaction."""
        runs = runs or self.args.runs
        if warmup:
            with self.cursor(self.uid) as env:
                func(env)
        times = []
        for _run in range(runs):
            with self.cursor(self.uid) as env:
                env.invalidate_all()
                start = time.perf_counter()
                func(env)
                times.append((time.perf_counter() - start) * 1000)
        self.results[name] = {"median_ms": statistics.median(times), "runs_ms": times}
        return statistics.median(times)

    # -- status search -------------------------------------------------------

    def status_search(self):
        domain = [("followup_status", "=", "in_need_of_action")]
        with self.cursor(self.uid) as env:
            count = env["res.partner"].search_count(domain)
        self.results["in_need_of_action"] = count
        self.timed("status_count", lambda env: env["res.partner"].search_count(domain))
        list_fields = ["display_name", "followup_status", "followup_level_id", "followup_next_action_date"]
        self.timed(
            "status_list",
            lambda env: env["res.partner"].search_read(domain, [*list_fields, "total_due", "total_overdue"], limit=80),
        )
        self.timed("status_sql_floor", self._sql_floor)
        with self.cursor() as env:
            floor_count = len(self._sql_floor(env))
        self.results["sql_floor_count"] = floor_count

    def _sql_floor(self, env):
        """One SQL aggregate over the open receivable items answering the same
        question (customers in manual mode aside): those whose oldest chased
        item reached a level it has not received."""
        from odoo.addons.account_payment_followup.followup.definitions import DUE_DATE_SQL

        env.cr.execute(
            f"""
            WITH items AS (
                SELECT p.commercial_partner_id AS partner_id, aml.amount_residual AS residual,
                       {DUE_DATE_SQL} AS due_date, received.delay AS received_delay,
                       aml.amount_residual > 0 AND NOT COALESCE(aml.blocked, FALSE)
                       AND NOT COALESCE(move.followup_excluded, FALSE)
                       AND (move.expected_payment_date IS NULL OR move.expected_payment_date <= %(today)s) AS chased
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
             LEFT JOIN account_followup_level received ON received.id = aml.followup_level_id
                 WHERE aml.company_id = %(company)s AND aml.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable'
                   AND NOT aml.reconciled AND aml.amount_residual != 0
            ), customers AS (
                SELECT partner_id, SUM(residual) AS balance,
                       (ARRAY_AGG(%(today)s - due_date ORDER BY due_date, received_delay NULLS FIRST)
                            FILTER (WHERE chased))[1] AS days_late,
                       (ARRAY_AGG(COALESCE(received_delay, -100000) ORDER BY due_date, received_delay NULLS FIRST)
                            FILTER (WHERE chased))[1] AS received
                  FROM items GROUP BY partner_id
            )
            SELECT partner_id FROM customers
             WHERE balance > 0
               AND EXISTS (SELECT 1 FROM account_followup_level l
                            WHERE l.company_id = %(company)s AND l.delay <= days_late AND l.delay > received)
            """,
            {"today": date.today(), "company": self.company_id},
        )
        return env.cr.fetchall()

    # -- statements screen ---------------------------------------------------

    def statements_screen(self):
        with self.cursor() as env:
            summaries = env["account.followup"]._get_partner_summaries(env.company)
            typical = env["res.partner"].search([("ref", "=like", "C%"), ("id", "in", list(summaries))], limit=1)
            big = env["res.partner"].search([("ref", "=", f"BM{BIG_CUSTOMER_INVOICES:03d}")])
        if "account.followup.statement" in self.registry:
            self.results["screen_api"] = "account.followup.statement.get_customers / get_statement"
            self.timed("screen_first_page", lambda env: env["account.followup.statement"].get_customers("action"))
            self.timed("screen_statement", lambda env: env["account.followup.statement"].get_statement(typical.id))
            self.timed("screen_statement_200", lambda env: env["account.followup.statement"].get_statement(big.id))
        else:
            self.results["screen_api"] = "res.partner.search + read, account.followup._get_statement"
            domain = [("followup_status", "=", "in_need_of_action")]
            fields_ = ["display_name", "total_due", "total_overdue", "followup_level_id", "followup_next_action_date"]
            self.timed("screen_first_page", lambda env: env["res.partner"].search(domain, limit=80).read(fields_))
            self.timed("screen_statement", lambda env: env["account.followup"]._get_statement(typical.with_env(env)))
            self.timed("screen_statement_200", lambda env: env["account.followup"]._get_statement(big.with_env(env)))

    # -- scheduled action ----------------------------------------------------

    def _due_by_level(self, env):
        followup = env["account.followup"]
        due = {}
        for partner, level in followup._get_due_followups(env.company, date.today()):
            due.setdefault(level.delay, []).append(partner.id)
        return due

    def query_counts(self):
        """SQL queries of one customer's follow-up, with 1 and with 200 invoices
        (measured after a customer of the same level warmed the caches)."""
        counts = {}
        with self.cursor() as env:
            due = self._due_by_level(env)
        for kind, delay in (("email", -3), ("manual", 15)):
            with self.cursor() as env:
                self._execute(env, env["res.partner"].browse(due[delay][-1]))
                env.cr.rollback()
            for count in (1, BIG_CUSTOMER_INVOICES):
                with self.cursor() as env:
                    env.invalidate_all()
                    partner = env["res.partner"].search([("ref", "=", f"B{kind[0].upper()}{count:03d}")])
                    before = env.cr.sql_log_count
                    done = self._execute(env, partner)
                    counts[f"{kind}_{count}"] = env.cr.sql_log_count - before
                    assert done, f"nothing done for {partner.name}"
                    env.cr.rollback()
                # The same customer within a batch of the scheduled action (19
                # others due for the same level): what the batch shares is
                # worked out once for all of them.
                with self.cursor() as env:
                    partner = env["res.partner"].search([("ref", "=", f"B{kind[0].upper()}{count:03d}")])
                    ids = [pid for pid in due[delay] if pid != partner.id][: QUERY_BATCH - 1] + partner.ids
                    env.invalidate_all()
                    before = env.cr.sql_log_count
                    report = {}
                    env["account.followup"]._execute_followups(
                        env.company, today=date.today(), report=report, partner_ids=ids
                    )
                    counts[f"batch_{kind}_{count}"] = round((env.cr.sql_log_count - before) / len(ids), 1)
                    assert len(report.get("done", [])) == len(ids), f"not all done in the batch of {partner.name}"
                    env.cr.rollback()
        self.results["queries_per_customer"] = counts

    def _execute(self, env, partner):
        """One customer, as the scheduled action does it (savepoint, then commit)."""
        followup = env["account.followup"].with_company(env.company)
        with env.cr.savepoint(flush=True):
            return followup._execute_partner(partner.with_env(followup.env), env.company, date.today())

    def throughput(self):
        """Customers per second for an e-mail level and a manual level: the
        scheduled action's own batch (``_execute_followups``, one commit per
        customer), given only the customers due for that level."""
        from unittest.mock import patch

        with self.cursor() as env:
            due = self._due_by_level(env)
        Followup = self.registry["account.followup"]
        for delay, target in ((-3, "email_per_s"), (15, "manual_per_s")):
            batch = min(BATCH, len(due.get(delay, [])) // self.args.runs)
            original = Followup._get_due_followups

            def only_level(followup, company, today, delay=delay, original=original):
                return [(p, lvl) for p, lvl in original(followup, company, today) if lvl.delay == delay]

            rates, with_notifications = [], []
            with patch.object(Followup, "_get_due_followups", only_level):
                for _run in range(self.args.runs if batch else 0):
                    with self.cursor() as env:
                        begin = time.perf_counter()
                        env["account.followup"]._execute_followups(env.company, batch_size=batch, auto_commit=True)
                        rates.append(batch / (time.perf_counter() - begin))
                        # The responsibles' "assigned to you" e-mails, which the
                        # scheduled action renders after its batches: counted
                        # apart, and with the batch.
                        env["mail.activity"]._followup_notify_responsibles(auto_commit=True)
                        with_notifications.append(batch / (time.perf_counter() - begin))
            self.results[target] = {
                "median": statistics.median(rates) if rates else None,
                "runs": rates,
                "batch": batch,
                "with_notifications": statistics.median(with_notifications) if with_notifications else None,
            }

    def letters(self):
        """The letters of 500 customers as one PDF, styled as a user gets them:
        wkhtmltopdf fetches the report's stylesheets from a running Odoo."""
        with self.cursor() as env:
            summaries = env["account.followup"]._get_partner_summaries(env.company)
            ids = sorted(pid for pid, summary in summaries.items() if summary["total_overdue"] > 0)[:LETTERS]
        times = []
        with self.http_server():
            for run in range(self.args.pdf_runs + 1):
                with self.cursor(self.uid) as env:
                    report = env.ref(f"{MODULE}.action_report_followup_letter")
                    start = time.perf_counter()
                    pdf, _kind = env["ir.actions.report"]._render_qweb_pdf(report.report_name, ids if run else ids[:1])
                    if run:  # the first one builds the stylesheets
                        times.append(time.perf_counter() - start)
                    env.cr.rollback()
        self.results["letters"] = len(ids)
        self.results["letters_process_peak_mib"] = peak_memory_mib()
        self.results["letters_pdf_s"] = {"median": statistics.median(times), "runs": times, "bytes": len(pdf)}

    @contextlib.contextmanager
    def http_server(self):
        """An Odoo server on a free local port for this database (cron off),
        known to the reports as their base address."""

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        database = self.args.database
        command = [sys.executable, "-m", "odoo", "-c", self.config, "-d", database, f"--db-filter=^{database}$"]
        command += ["--http-interface=127.0.0.1", f"--http-port={port}", "--max-cron-threads=0", "--log-level=warn"]
        server = subprocess.Popen(command)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("the Odoo server for the reports did not start") from None
                    time.sleep(0.5)
            with self.cursor() as env:
                env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{port}")
            yield
        finally:
            server.terminate()
            server.wait(30)

    # -- follow-up analysis ----------------------------------------------------

    def analysis(self):
        """Every figure of the follow-up analysis as its pivot and graph views
        ask for it (``read_group``, default filter: the last 12 months), and the
        payment behaviour on a customer's statement."""
        year_ago = (date.today() - timedelta(days=365)).isoformat()
        cases = {
            "effectiveness, per level and action": (
                "account.followup.effectiveness.report",
                [("date", ">=", year_ago)],
                ["amount", "share_7", "share_14", "share_30", "days_to_payment"],
                ["level_id", "channel"],
            ),
            "effectiveness, whole history per month": (
                "account.followup.effectiveness.report",
                [],
                ["amount", "share_30", "days_to_payment"],
                ["date:month"],
            ),
            "DSO per month": (
                "account.followup.dso.report",
                [("date", ">=", year_ago)],
                ["receivable", "credit_sales", "dso"],
                ["date:month"],
            ),
            "overdue by age per month": (
                "account.followup.overdue.report",
                [("date", ">=", year_ago)],
                ["amount"],
                ["date:month", "age"],
            ),
            "promises kept and broken per month": (
                "account.followup.promise",
                [("state", "in", ("kept", "broken")), ("date", ">=", year_ago)],
                [],
                ["date:month", "state"],
            ),
            "open disputes by reason and age": (
                "account.followup.dispute",
                [("state", "=", "open")],
                [],
                ["reason", "age_bucket"],
            ),
            "average days late per payment month": (
                "account.followup.payment.report",
                [("payment_date", ">=", year_ago)],
                ["days_late", "amount"],
                ["payment_date:month"],
            ),
        }
        figures = {}
        for label, (model, domain, fields_, groupby) in cases.items():
            if model not in self.registry:
                continue
            with self.cursor() as env:
                groups = len(env[model].read_group(domain, fields_, groupby, lazy=False))
            median = self.timed(
                f"analysis {label}",
                lambda env, m=model, d=domain, f=fields_, g=groupby: env[m].read_group(d, f, g, lazy=False),
            )
            figures[label] = {"median_ms": median, "groups": groups}
        # the list grouped by customer, worst payers first: a page of 80 groups
        model = "account.followup.payment.report"
        args = ([("payment_date", ">=", year_ago)], ["days_late"], ["partner_id"])
        figures["average days late, 80 worst customers"] = {
            "median_ms": self.timed(
                "analysis days late per customer",
                lambda env: env[model].web_read_group(*args, limit=80, orderby="days_late desc"),
            ),
            "groups": 80,
        }
        with self.cursor() as env:
            env.cr.execute("SELECT partner_id FROM account_followup_step GROUP BY partner_id LIMIT 1")
            partner_id = env.cr.fetchone()[0]
        statement = "account.followup.statement"
        figures["payment behaviour on a statement"] = {
            "median_ms": self.timed(
                "analysis payment behaviour",
                lambda env: env[statement]._get_payment_behaviour(env["res.partner"].browse(partner_id)),
            ),
            "groups": 10,
        }
        with self.cursor() as env:
            env.cr.execute("SELECT count(*) FROM account_followup_step")
            self.results["analysis_steps"] = env.cr.fetchone()[0]
        self.results["analysis"] = figures


def peak_memory_mib():
    """Peak resident memory of this process since it started (VmHWM: unlike
    ru_maxrss, not inherited from the parent it was forked from)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def full_run_child(args):
    """The scheduled action until nothing is left, in this process (as a cron
    worker that picks up its own re-trigger): customers, time, peak memory."""
    import odoo

    registry = odoo.registry(args.database)
    started = time.perf_counter()
    calls = 0
    while True:
        calls += 1
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env["res.partner"]._cron_execute_followups()
            cr.execute(
                "SELECT count(*) FROM ir_cron_trigger WHERE cron_id = %s",
                [env.ref(f"{MODULE}.ir_cron_payment_followup").id],
            )
            more = cr.fetchone()[0]
            cr.execute("DELETE FROM ir_cron_trigger")
        if not more:
            break
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "cron_calls": calls, "peak_mib": peak_memory_mib()}))


def full_run(bench, args, config):
    with bench.cursor() as env:
        env.cr.execute("SELECT count(*) FROM mail_message WHERE model = 'res.partner' AND subtype_id IS NOT NULL")
        before = env.cr.fetchone()[0]
        due = len(env["account.followup"]._get_due_followups(env.company, date.today()))
    release_db(args.database)
    command = [sys.executable, __file__, "--child", "full-run", "--database", args.database]
    command += ["--db-host", args.db_host, "--db-port", str(args.db_port), "--db-user", args.db_user]
    command += ["--work", args.work, "--config", config]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result["customers"] = due
    result["per_s"] = due / result["seconds"] if result["seconds"] else None
    bench.results["full_run"] = result
    log(f"full run: {due} customers ({before} partner messages before)")


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def verdict(ok):
    return "met" if ok else "MISSED"


def report_lines(bench):
    r, size = bench.results, bench.size
    lines = [
        f"Size: {size['customers']} customers, {size['invoices']} posted invoices "
        f"({size['open_invoices']} open), {size['lines']} journal items; "
        f"{r['in_need_of_action']} customers in need of action. Medians of {bench.args.runs} runs.",
        "",
    ]
    count, floor = r["status_count"]["median_ms"], r["status_sql_floor"]["median_ms"]
    ratio = count / floor if floor else float("inf")
    ok = count <= TARGETS["status_search_ms"] and ratio <= TARGETS["status_search_ratio"]
    lines += [
        f"status search, count (search_count)      {count:8.1f} ms",
        f"status search, first 80 with list fields  {r['status_list']['median_ms']:8.1f} ms",
        f"SQL floor (one aggregate, {r['sql_floor_count']} rows)      {floor:8.1f} ms",
        f"ratio count / floor                       {ratio:8.2f} x   "
        f"target <= {TARGETS['status_search_ratio']}x and < 300 ms: {verdict(ok)}",
        f"statements screen ({r['screen_api']})",
    ]
    for key, label in (
        ("screen_first_page", "first page"),
        ("screen_statement", "one customer's statement (3 open invoices)"),
        ("screen_statement_200", f"one customer's statement ({BIG_CUSTOMER_INVOICES} open invoices)"),
    ):
        value = r[key]["median_ms"]
        target = TARGETS["screen_first_page_ms"] if key == "screen_first_page" else TARGETS["screen_call_ms"]
        lines.append(f"  {label:<44}{value:8.1f} ms   target < {target} ms: {verdict(value < target)}")
    for key, label in (("email_per_s", "e-mail level (-3 days)"), ("manual_per_s", "manual level (15 days)")):
        value = r[key]["median"]
        shown = f"{value:8.1f}" if value is not None else "     n/a"
        ok = value is not None and value >= TARGETS[key]
        lines.append(f"scheduled action, {label:<27}{shown} customers/s   target >= {TARGETS[key]}: {verdict(ok)}")
        also = r[key].get("with_notifications")
        if key == "manual_per_s" and also is not None:
            lines.append(f"  with the responsibles' e-mails after it  {also:8.1f} customers/s")
    if "letters_pdf_s" in r:
        pdf = r["letters_pdf_s"]["median"]
        lines.append(
            f"{r['letters']} letters as one PDF                  {pdf:8.1f} s   target < 60 s: {verdict(pdf < 60)}"
            f"   ({r['letters_pdf_s']['bytes'] / 2**20:.0f} MiB; process peak {r['letters_process_peak_mib']:.0f} MiB)"
        )
    if "full_run" in r:
        run = r["full_run"]
        lines.append(
            f"full scheduled run: {run['customers']} customers in {run['seconds']:.0f} s "
            f"({run['per_s']:.1f}/s, {run['cron_calls']} cron calls), peak memory {run['peak_mib']:.0f} MiB   "
            f"target < 1024 MiB: {verdict(run['peak_mib'] < TARGETS['peak_memory_mib'])}"
        )
    counts = r["queries_per_customer"]
    same = counts["email_1"] == counts["email_200"] and counts["manual_1"] == counts["manual_200"]
    few = counts["email_1"] <= TARGETS["email_queries"] and counts["manual_1"] <= TARGETS["manual_queries"]
    lines.append(
        f"SQL queries per customer: e-mail level {counts['email_1']} (1 invoice) / {counts['email_200']} "
        f"({BIG_CUSTOMER_INVOICES} invoices), manual level {counts['manual_1']} / {counts['manual_200']}   "
        f"target equal: {verdict(same)}, at most {TARGETS['email_queries']} / {TARGETS['manual_queries']}: "
        f"{verdict(few)}"
    )
    if "batch_email_1" in counts:
        same = (
            counts["batch_email_1"] == counts["batch_email_200"]
            and counts["batch_manual_1"] == counts["batch_manual_200"]
        )
        few = (
            counts["batch_email_1"] <= TARGETS["email_queries"]
            and counts["batch_manual_1"] <= TARGETS["manual_queries"]
        )
        lines.append(
            f"  in a batch of {QUERY_BATCH}: e-mail level {counts['batch_email_1']} / {counts['batch_email_200']}, "
            f"manual level {counts['batch_manual_1']} / {counts['batch_manual_200']}   "
            f"target equal: {verdict(same)}, at most {TARGETS['email_queries']} / {TARGETS['manual_queries']}: "
            f"{verdict(few)}"
        )
    return lines


def analysis_lines(bench):
    figures = bench.results.get("analysis")
    if not figures:
        return []
    lines = [f"follow-up analysis ({bench.results['analysis_steps']} follow-up steps), read_group of each report"]
    for label, figure in figures.items():
        value = figure["median_ms"]
        ok = value < TARGETS["analysis_ms"]
        lines.append(f"  {label:<44}{value:8.1f} ms   ({figure['groups']} groups)   target < 1000 ms: {verdict(ok)}")
    return lines


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    if args.child:
        config = args.config  # the parent's configuration: its SMTP port is held by the parent
    else:
        if args.config:
            read_config(args)
        config = write_config(args)
    import odoo
    from odoo.tools import config as odoo_config

    odoo_config.parse_config(["-c", config, "--log-level=warn"])
    if args.child == "full-run":
        full_run_child(args)
        return 0
    template = f"{args.database}_tpl_{size_of(args.scale)['customers']}"
    if args.rebuild or not template_ready(args, template):
        build_template(args, config, template)
    if args.peer_src:  # see dev/benchmark_peer.py
        from benchmark_peer import compare_with_peer

        return compare_with_peer(args, config, template)
    if args.queue_workers:  # see dev/benchmark_queue.py
        from benchmark_queue import run_with_queue

        return run_with_queue(args, config, template)
    started = time.monotonic()
    copy_db(args, template, args.database)
    log(f"copied {template} to {args.database} in {time.monotonic() - started:.0f} s")
    registry = odoo.registry(args.database)
    with registry.cursor() as cr:
        shift_dates(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}))
    bench = Bench(args, registry, config)
    steps = [
        bench.status_search,
        bench.statements_screen,
        bench.query_counts,
        bench.throughput,
        bench.letters,
        bench.analysis,
    ]
    if not args.pdf_runs:  # --pdf-runs 0: no letters
        steps.remove(bench.letters)
    if args.only:
        steps = [step for step in steps if step.__name__ in args.only]
    for step in steps:
        log(f"measuring: {step.__name__}")
        step()
    if not args.no_full_run and not args.only:
        log("measuring: full scheduled run (peak memory)")
        full_run(bench, args, config)
    lines = [] if args.only else report_lines(bench)
    lines += analysis_lines(bench)
    print("\n".join(lines))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"size": bench.size, "results": bench.results}, out, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
