"""The scheduled action's e-mail level beside OCA's account_credit_control.

    bash dev/dev.sh bench --scale 0.1 --runs 3 --peer-src DIR

``DIR`` is a folder holding ``account_credit_control`` for Odoo 17 (and
whatever it depends on beyond Odoo's own addons). Its code is read from there
and installed into a copy of the benchmark's template database
(``<database>_peer``); it is never copied into this repository.

Both are measured in that one database, on the same customers: those the
scheduled action's e-mail level (-3 days) processes in the benchmark's own
throughput measurement (``Bench.throughput``: ``--runs`` batches of up to 100
customers, the scheduled action's ``_execute_followups``, one commit per
customer). The peer then does what its users do for those customers, batch by
batch, each step in a transaction of its own as from its screens:

1. line generation: a ``credit.control.run`` dated 3 days ahead (its lines are
   only the items due by the run's date; ours are chased from 3 days before
   their due date) with a policy of one e-mail level, ``net_days``, 0 days,
   given to the batch's customers (``res.partner.credit_policy_id``; the
   company has no policy, so no other customer is read);
2. marking the lines to be sent (``set_to_ready_lines``, the run's button);
3. the e-mails (``run_channel_action``: one communication per customer and
   ``_generate_emails``, the level's template without the PDF report it
   attaches by default, the mail queued: its composer would send at once, a
   SMTP round trip that ours leaves to the mail queue too); once with its
   template as shipped (rolled back), once with the invoices table of its
   option "Show Invoice Details in mail" (committed). Since 17.0.2 the peer
   writes its e-mails in a thread started after the commit
   (``credit.control.communication._send_mails``), which no timer of the
   button sees: here that work is done in the step, as the peer's own tests
   run it, so that it is timed and counted. Its 17.0.1 port instead e-mailed
   in the step, and its option was inert there (the composer's onchange it
   hooks is not called by Odoo 17): the table is then in a copy of its
   template (``TABLE_BODY``).

The latest 17.0 release (PyPI's ``odoo-addon-account-credit-control``, e.g.
17.0.2.2.6.4; it needs no addon beyond Odoo's own) is fetched into a scratch
folder outside the repository::

    pip download odoo-addon-account-credit-control==17.0.2.2.6.4 --no-deps -d /tmp/peer
    cd /tmp/peer && unzip -q odoo_addon_account_credit_control-*.whl 'odoo/addons/account_credit_control/*'
    bash dev/dev.sh bench --peer-src /tmp/peer/odoo/addons

Each side is warmed up on one customer first (rolled back). Customers per
second are medians over the batches, queries per customer the total SQL
queries (``cr.sql_log_count``) divided by the customers.
"""

import configparser
import contextlib
import os
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from unittest.mock import patch

import benchmark

PEER_MODULE = "account_credit_control"
EMAIL_DELAY = -3  # days after the due date: the default plan's e-mail level


def peer_config(args, config, peer_src):
    """The benchmark's Odoo configuration with ``peer_src`` added to its addons path."""
    parser = configparser.ConfigParser()
    parser.read(config)
    options = parser["options"]
    options["addons_path"] = f"{options['addons_path']},{peer_src}"
    os.makedirs(args.work, exist_ok=True)
    path = os.path.join(args.work, "odoo-bench-peer.conf")
    with open(path, "w", encoding="utf-8") as out:
        parser.write(out)
    return path


def compare_with_peer(args, config, template):
    import odoo
    from odoo.tools import config as odoo_config

    peer_src = os.path.abspath(args.peer_src)
    manifest = os.path.join(peer_src, PEER_MODULE, "__manifest__.py")
    if not os.path.isfile(manifest):
        sys.exit(f"--peer-src: no {PEER_MODULE}/__manifest__.py in {peer_src}")
    with open(manifest, encoding="utf-8") as source:
        version = odoo.tools.safe_eval.safe_eval(source.read()).get("version")
    database = f"{args.database}_peer"
    conf = peer_config(args, config, peer_src)
    benchmark.copy_db(args, template, database)
    benchmark.log(f"installing {PEER_MODULE} {version} from {peer_src} into {database}")
    subprocess.run(
        [sys.executable, "-m", "odoo", "-c", conf, "-d", database, "-i", PEER_MODULE, *benchmark.INSTALL_OPTIONS],
        check=True,
    )
    # this process finds the peer's code too
    odoo_config["addons_path"] = f"{odoo_config['addons_path']},{peer_src}"
    odoo.modules.module.initialize_sys_path()
    registry = odoo.registry(database)
    with registry.cursor() as cr:
        benchmark.shift_dates(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}))
    bench = benchmark.Bench(args, registry, conf)
    ours = measure_ours(bench)
    peer = measure_peer(bench, ours["batches"])
    lines = comparison_lines(bench, database, version, ours, peer)
    print("\n".join(lines))
    if args.json:
        import json

        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"size": bench.size, "ours": ours, "peer": peer}, out, indent=2, default=str)
    return 0


def max_mail_id(env):
    env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM mail_mail")
    return env.cr.fetchone()[0]


def count_mails(env, model, res_ids, after):
    """E-mails queued since mail id ``after`` on these records."""
    env.cr.execute(
        "SELECT count(*) FROM mail_mail m JOIN mail_message msg ON msg.id = m.mail_message_id "
        "WHERE m.id > %s AND msg.model = %s AND msg.res_id IN %s",
        [after, model, tuple(res_ids) or (0,)],
    )
    return env.cr.fetchone()[0]


def measure_ours(bench):
    """The benchmark's e-mail level throughput, with the queries of each batch
    and the customers it processed (its follow-up report)."""
    Followup = bench.registry["account.followup"]
    original = Followup._execute_followups
    batches = []

    def counted(followup, company, batch_size=100, today=None, auto_commit=False, report=None):
        report = {} if report is None else report
        before = followup.env.cr.sql_log_count
        result = original(followup, company, batch_size=batch_size, today=today, auto_commit=auto_commit, report=report)
        done = report.get("done", [])
        assert not report.get("errors"), f"follow-ups failed: {report['errors']}"
        batches.append(
            {
                "queries": followup.env.cr.sql_log_count - before,
                "partner_ids": [item["partner"].id for item in done],
                "delays": {item["level"].delay for item in done},
            }
        )
        return result

    with bench.cursor() as env:
        due = bench._due_by_level(env)[EMAIL_DELAY]
        last_mail = max_mail_id(env)
    with bench.cursor() as env:  # warm-up, as the benchmark's query count does
        bench._execute(env, env["res.partner"].browse(due[-1]))
        env.cr.rollback()
    benchmark.log(f"measuring ours: {len(due)} customers due for the e-mail level")
    with patch.object(Followup, "_execute_followups", counted):
        bench.throughput()  # the manual level's batches too: not used here
    email = [batch for batch in batches if batch["delays"] == {EMAIL_DELAY}]
    partner_ids = [pid for batch in email for pid in batch["partner_ids"]]
    with bench.cursor() as env:
        mails = count_mails(env, "res.partner", partner_ids, last_mail)
    result = bench.results["email_per_s"]
    return {
        "per_s": result["median"],
        "runs_per_s": result["runs"],
        "customers": len(partner_ids),
        "queries": sum(batch["queries"] for batch in email),
        "mails": mails,
        "batches": [batch["partner_ids"] for batch in email],
    }


TH = 'style="padding: 5px; border: 1px solid black;"'
# The peer's base template with the invoices table its option "Show Invoice
# Details in mail" adds (``_get_credit_control_communication_table``): in its
# 17.0 port that option is inert (it hooks the composer's onchange, which Odoo
# 17 no longer calls), so its e-mail without PDF would name no invoice.
TABLE_BODY = f"""
<p>Dear <t t-out="object.contact_address_id.name or ''"/>,</p>
<br/><br/>
<p><t t-out="object.policy_level_id.custom_mail_text or ''"/></p>
<br/><h3>Invoices summary</h3>
<table style="border-spacing: 0; border-collapse: collapse; width: 100%; text-align: center;">
<tr><th {TH}>Invoice number</th><th {TH}>Payment Reference</th><th {TH}>Invoice date</th>
<th {TH}>Due date</th><th {TH}>Invoice amount</th><th {TH}>Amount Due</th></tr>
<tr t-foreach="object.credit_control_line_ids" t-as="line">
<td {TH}><t t-out="line.invoice_id.name"/></td>
<td {TH}><t t-out="line.invoice_id.payment_reference or ''"/></td>
<td {TH}><t t-out="format_date(line.invoice_id.invoice_date)"/></td>
<td {TH}><t t-out="format_date(line.date_due)"/></td>
<td {TH}><t t-out="format_amount(line.invoice_id.amount_total, line.currency_id)"/></td>
<td {TH}><t t-out="format_amount(line.amount_due, line.currency_id)"/></td>
</tr>
</table>
"""


def mails_in_the_step(registry):
    """Patches making the peer write its e-mails in the step, queued (see the
    module's docstring), whichever port of it is installed."""
    Communication = registry["credit.control.communication"]
    if hasattr(Communication, "_send_mails"):  # 17.0.2 and later: a thread after the commit
        post = Communication.message_post_with_source

        def queued_post(records, source_ref, **kwargs):
            return post(records, source_ref, force_send=False, **kwargs)

        return [
            patch.object(Communication, "_send_mails", lambda comms: comms._send_communications_by_email()),
            patch.object(Communication, "message_post_with_source", queued_post),
        ]
    original = Communication.message_mail_with_source

    def queued(records, source_ref, **kwargs):
        return original(records, source_ref, force_send=False, **kwargs)

    return [patch.object(Communication, "message_mail_with_source", queued)]


def measure_peer(bench, batches):
    """The peer's line generation, marking and e-mails for the same customers,
    batch by batch (see the module's docstring)."""
    Command = bench.odoo.Command
    control_date = date.today() - timedelta(days=EMAIL_DELAY)
    # 17.0.2 and later add the invoices table themselves (the option works).
    own_table = hasattr(bench.registry["credit.control.communication"], "_send_mails")
    with bench.cursor() as env:
        base = env.ref(f"{PEER_MODULE}.email_template_credit_control_base")
        no_pdf = {"report_template_ids": [Command.clear()]}
        shipped = base.copy({"name": "Benchmark: credit control e-mail, no PDF", **no_pdf})
        table = base.copy({"name": "Benchmark: credit control e-mail, invoices, no PDF", **no_pdf})
        if not own_table:
            table.body_html = TABLE_BODY
        accounts = env["account.account"].search(
            [("company_id", "=", env.company.id), ("account_type", "=", "asset_receivable")]
        )
        policy = env["credit.control.policy"].create(
            {
                "name": "Benchmark: one e-mail level",
                "company_id": env.company.id,
                "account_ids": [Command.set(accounts.ids)],
                "level_ids": [
                    Command.create(
                        {
                            "name": "Payment reminder",
                            "level": 1,
                            "computation_mode": "net_days",
                            "delay_days": 0,
                            "channel": "email",
                            "email_template_id": table.id,
                            "mail_show_invoice_detail": True,
                            "custom_text": "Our records show that the invoices below are due.",
                            "custom_mail_text": "<p>Our records show that the invoices below are due.</p>",
                        }
                    )
                ],
            }
        )
        setup = {
            "policy": policy.id,
            "level": policy.level_ids.id,
            "shipped": shipped.id,
            "table": table.id,
            # "Show Invoice Details in mail", off as shipped
            "detail": {"shipped": not own_table, "table": True},
        }
        others = bench._due_by_level(env).get(EMAIL_DELAY, [])
    measured = {pid for batch in batches for pid in batch}
    spare = next((pid for pid in others if pid not in measured), None)
    run_peer_batch(bench, setup, [spare] if spare else batches[0][:1], control_date, warmup=True)
    benchmark.log(f"measuring the peer: the same {len(measured)} customers")
    runs = [run_peer_batch(bench, setup, batch, control_date) for batch in batches]
    result = {"customers": len(measured), "steps": {}}
    for name in runs[0]:
        result["steps"][name] = {
            "per_s": statistics.median(
                len(batch) / run[name]["seconds"] for batch, run in zip(batches, runs, strict=True)
            ),
            "queries": sum(run[name]["queries"] for run in runs),
            "runs": [run[name] for run in runs],
        }
    for variant in ("emails", "emails_shipped"):
        chain = ("generate", "ready", variant)
        result[f"total_{variant}"] = {
            "per_s": statistics.median(
                len(batch) / sum(run[name]["seconds"] for name in chain)
                for batch, run in zip(batches, runs, strict=True)
            ),
            "queries": sum(result["steps"][name]["queries"] for name in chain),
        }
    result["lines"] = sum(run["generate"]["lines"] for run in runs)
    result["mails"] = sum(run["emails"]["mails"] for run in runs)
    result["mails_shipped"] = sum(run["emails_shipped"]["mails"] for run in runs)
    return result


def run_peer_batch(bench, setup, partner_ids, control_date, warmup=False):
    """Generate, mark and e-mail the peer's reminders of these customers, each
    step in a transaction of its own; the e-mails once with the template as
    shipped (rolled back), then with the invoices table (committed). Returns
    each step's seconds and queries. A warm-up is rolled back entirely."""
    Command = bench.odoo.Command

    def step(func, template=None, keep=True, check=None):
        """Time ``func(env)`` in a transaction; ``check(env, value)`` after."""
        with contextlib.ExitStack() as stack:
            env = stack.enter_context(bench.cursor())
            for patcher in mails_in_the_step(bench.registry):
                stack.enter_context(patcher)
            if template:
                env["credit.control.policy.level"].browse(setup["level"]).write(
                    {"email_template_id": setup[template], "mail_show_invoice_detail": setup["detail"][template]}
                )
                env.flush_all()
            env.invalidate_all()
            before, start = env.cr.sql_log_count, time.perf_counter()
            value = func(env)
            env.flush_all()
            if keep and not warmup:
                env.cr.commit()
            outcome = {"seconds": time.perf_counter() - start, "queries": env.cr.sql_log_count - before}
            if check:
                value = check(env, value)
            if not keep or warmup:
                env.cr.rollback()
            return outcome, value

    def generate(env):
        run = env["credit.control.run"].create({"date": control_date, "policy_ids": [Command.set([setup["policy"]])]})
        run.generate_credit_lines()
        return run

    def send(env, run):
        last_mail = max_mail_id(env)
        run.run_channel_action()
        return last_mail

    def sent(env, last_mail):
        comms = env["credit.control.run"].browse(run_id).line_ids.communication_id
        return count_mails(env, "credit.control.communication", comms.ids, last_mail)

    with bench.cursor() as env:  # the policy for these customers only (not timed)
        env["res.partner"].search([("credit_policy_id", "=", setup["policy"])]).write({"credit_policy_id": False})
        env["res.partner"].browse(partner_ids).write({"credit_policy_id": setup["policy"]})
    if warmup:  # the three steps in one transaction, rolled back, with each template
        for template in ("shipped", "table"):
            step(lambda env: emails_after(env, generate(env)), template=template)
        return {}
    gen, (run_id, lines) = step(generate, check=lambda env, run: (run.id, len(run.line_ids)))
    assert lines >= len(partner_ids), f"{lines} credit control lines for {len(partner_ids)} customers"
    ready, _none = step(lambda env: env["credit.control.run"].browse(run_id).set_to_ready_lines())
    run_of = lambda env: env["credit.control.run"].browse(run_id)  # noqa: E731
    shipped, shipped_mails = step(lambda env: send(env, run_of(env)), template="shipped", keep=False, check=sent)
    emails, mails = step(lambda env: send(env, run_of(env)), template="table", check=sent)
    for count in (mails, shipped_mails):
        assert count == len(partner_ids), f"{count} e-mails for {len(partner_ids)} customers"
    return {
        "generate": {**gen, "lines": lines},
        "ready": ready,
        "emails_shipped": {**shipped, "mails": shipped_mails},
        "emails": {**emails, "mails": mails},
    }


def emails_after(env, run):
    run.set_to_ready_lines()
    run.run_channel_action()


def comparison_lines(bench, database, version, ours, peer):
    customers = ours["customers"]
    ours_q = ours["queries"] / customers
    per_customer = peer["customers"]
    steps = peer["steps"]
    rows = [
        ("ours: scheduled action (_execute_followups)", ours["per_s"], ours_q),
        ("peer: 1. line generation (credit.control.run)", steps["generate"]["per_s"], None),
        ("peer: 2. marking the lines to be sent", steps["ready"]["per_s"], None),
        ("peer: 3. e-mails with the invoices table", steps["emails"]["per_s"], None),
        ("peer: 3. e-mails as shipped (no invoice named)", steps["emails_shipped"]["per_s"], None),
        ("peer: 1 + 2 + 3 with the invoices table", peer["total_emails"]["per_s"], None),
        ("peer: 1 + 2 + 3 as shipped", peer["total_emails_shipped"]["per_s"], None),
    ]
    queries = [ours_q] + [
        source["queries"] / per_customer
        for source in (steps["generate"], steps["ready"], steps["emails"], steps["emails_shipped"])
    ]
    queries += [peer["total_emails"]["queries"] / per_customer, peer["total_emails_shipped"]["queries"] / per_customer]
    size = bench.size
    lines = [
        "",
        f"E-mail level beside OCA {PEER_MODULE} {version} (no PDF, mail queued), database {database}: "
        f"{size['customers']} customers, {size['open_invoices']} open invoices; the same {customers} customers "
        f"due for the e-mail level, {len(ours['batches'])} batch(es) (customers/s: median of the batches).",
        f"E-mails queued: ours {ours['mails']}, peer {peer['mails']} ({peer['lines']} credit control lines).",
        "",
        f"{'':<50}{'customers/s':>12}{'queries/customer':>18}",
    ]
    for (label, per_s, _none), count in zip(rows, queries, strict=True):
        lines.append(f"{label:<50}{per_s:>12.1f}{count:>18.1f}")
    for key, label in (("total_emails", "with the invoices table"), ("total_emails_shipped", "as shipped")):
        total = peer[key]
        speed = ours["per_s"] / total["per_s"]
        ratio_q = ours_q / (total["queries"] / per_customer)
        lines.append(f"{'ratio ours / peer 1 + 2 + 3, ' + label:<50}{speed:>11.2f}x{ratio_q:>17.2f}x")
    return lines
