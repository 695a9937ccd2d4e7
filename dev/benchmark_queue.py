"""The scheduled action through OCA's queue_job, run by several Odoo workers.

    bash dev/dev.sh bench --scale 0.1 --queue-workers 2

Needs queue_job importable (test-requirements.txt; dev.sh installs it). The
benchmark's template is copied to ``<database>_queue``, queue_job is installed
there, and the scheduled action is run once in this process: with the queue it
only cuts the day into jobs (one per batch of ``--queue-batch`` customers,
100 by default as the scheduled action's, channel
``root.account_payment_followup``; the system parameter
``account_payment_followup.use_queue_job`` says to use it, as this process does
not load the job runner). Then an Odoo server is started with ``N`` workers and
queue_job's job runner (``--workers N --load=base,web,queue_job``, channels
``root:N,root.account_payment_followup:N``, no scheduled actions) and the
benchmark waits until every job is done.

Printed: the customers due and followed up, the jobs, the wall time from the
first job started to the last one done and the customers per second it gives;
beside it the sum of the jobs' own times (what one worker would take for the
same jobs) and the speed-up of the N workers. On a machine with fewer cores
than workers, or busy with something else, the speed-up is bounded by the
cores (the workers and PostgreSQL share them).
"""

import configparser
import importlib.util
import os
import socket
import subprocess
import sys
import time
from datetime import date

import benchmark

CHANNEL = "root.account_payment_followup"
# Odoo's command line for the server. The prefork server also starts its
# websocket process with the same script and "gevent": nothing uses it here,
# so it idles (else a failing one, say without gevent's dependencies, would be
# started again every second, on the cores measured); the server kills it.
LAUNCHER = """import sys
import time

if len(sys.argv) > 1 and sys.argv[1] == "gevent":
    while True:
        time.sleep(3600)
import odoo.cli

odoo.cli.main()
"""
TO_DO = ("wait_dependencies", "pending", "enqueued", "started")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def due_count(env):
    return len(env["account.followup"]._get_due_followups(env.company, date.today()))


def jobs_by_state(cr):
    cr.execute(
        "SELECT state, count(*) FROM queue_job WHERE method_name = '_job_execute_followups' GROUP BY state",
    )
    return dict(cr.fetchall())


def run_with_queue(args, config, template):
    import odoo

    if importlib.util.find_spec("odoo.addons.queue_job") is None:
        sys.exit("--queue-workers: OCA queue_job is not importable (pip install -r test-requirements.txt)")
    workers = args.queue_workers
    database = f"{args.database}_queue"
    benchmark.copy_db(args, template, database)
    benchmark.log(f"installing queue_job into {database}")
    subprocess.run(
        [sys.executable, "-m", "odoo", "-c", config, "-d", database, "-i", "queue_job", *benchmark.INSTALL_OPTIONS],
        check=True,
    )
    registry = odoo.registry(database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        benchmark.shift_dates(env)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["ir.config_parameter"].set_param("account_payment_followup.use_queue_job", "1")
        due_before = due_count(env)
        cr.execute("SELECT count(*) FROM res_partner WHERE customer_rank > 0")
        customers = cr.fetchone()[0]
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        started = time.perf_counter()
        env["res.partner"]._cron_execute_followups(batch_size=args.queue_batch)
        enqueue_s = time.perf_counter() - started
    with registry.cursor() as cr:
        jobs = sum(jobs_by_state(cr).values())
    benchmark.log(f"{due_before} customers due: {jobs} jobs enqueued in {enqueue_s:.1f} s")
    benchmark.release_db(database)

    conf = os.path.join(args.work, "odoo-bench-queue.conf")
    parser = configparser.ConfigParser()
    parser.read(config)
    parser["queue_job"] = {"channels": f"root:{workers},{CHANNEL}:{workers}"}
    with open(conf, "w", encoding="utf-8") as out:
        parser.write(out)
    port = free_port()
    server_log = os.path.join(args.work, "queue-server.log")
    launcher = os.path.join(args.work, "odoo-queue-bench")
    with open(launcher, "w", encoding="utf-8") as out:
        out.write(LAUNCHER)
    command = [sys.executable, launcher, "-c", conf, "-d", database, f"--db-filter=^{database}$"]
    command += [f"--workers={workers}", "--max-cron-threads=0", "--load=base,web,queue_job"]
    command += ["--http-interface=127.0.0.1", f"--http-port={port}", f"--gevent-port={free_port()}"]
    command += ["--limit-time-cpu=3600", "--limit-time-real=7200", "--log-level=warn", f"--logfile={server_log}"]
    benchmark.log(f"starting Odoo with {workers} workers and queue_job's runner on port {port} (log: {server_log})")
    server = subprocess.Popen(command)
    states = {}
    try:
        deadline = time.monotonic() + 4 * 3600
        while time.monotonic() < deadline:
            time.sleep(2)
            if server.poll() is not None:
                sys.exit(f"the Odoo server stopped (exit code {server.returncode}): see {server_log}")
            with registry.cursor() as cr:
                states = jobs_by_state(cr)
            if not any(states.get(state) for state in TO_DO):
                break
    finally:
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute(
            "SELECT min(date_started), max(date_done), sum(EXTRACT(EPOCH FROM date_done - date_started)) "
            "FROM queue_job "
            "WHERE method_name = '_job_execute_followups' AND state = 'done'"
        )
        first, last, busy = cr.fetchone()
        busy = float(busy or 0)
        due_after = due_count(env)
    done = due_before - due_after
    wall = (last - first).total_seconds() if first and last else None
    result = {
        "workers": workers,
        "customers_due": due_before,
        "customers_done": done,
        "jobs": states,
        "enqueue_s": enqueue_s,
        "wall_s": wall,
        "per_s": done / wall if wall else None,
        "jobs_busy_s": busy,
        "one_worker_per_s": done / busy if busy else None,
        "speedup": busy / wall if wall and busy else None,
    }
    lines = [
        "",
        f"Scheduled action through queue_job, {workers} workers, database {database}: " f"{customers} customers.",
        f"customers due {due_before}, followed up {done}; jobs by state {states}; "
        f"enqueued by the scheduled action in {enqueue_s:.1f} s",
    ]
    if wall:
        lines += [
            f"first job started to last job done      {wall:8.1f} s   {result['per_s']:8.1f} customers/s",
            f"sum of the jobs' own times (one worker) {busy:8.1f} s   {result['one_worker_per_s']:8.1f} customers/s",
            f"speed-up of {workers} workers                  {result['speedup']:8.2f} x",
        ]
    print("\n".join(lines))
    if args.json:
        import json

        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"customers": customers, "queue": result}, out, indent=2, default=str)
    return 0
