"""Run today's payment follow-ups once, from the command line, and print what
was done: customers processed, e-mails, letters, activities, what was skipped
and why. With --dry-run, print what would be done and send nothing.

    bash dev/dev.sh followup [--dry-run] [--company NAME]
    python dev/followup_once.py -c odoo.conf -d DATABASE [--dry-run]
"""

import argparse
import sys

import odoo
from odoo.tools import config


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--dry-run", action="store_true", help="print what would be done, send nothing")
    parser.add_argument("--company", help="only this company (name)")
    return parser.parse_args(argv)


def print_report(company, report, out):
    done = report.get("done", [])
    print(f"== {company.name}: {len(done)} customer(s) processed", file=out)
    counts = {"e-mails": 0, "letters": 0, "SMS": 0, "activities": 0, "skipped": 0}
    keys = {"email": "e-mails", "letter": "letters", "sms": "SMS", "manual": "activities"}
    for entry in done:
        print(f"- {entry['partner'].display_name}: {entry['level'].name}", file=out)
        for channel, outcome in entry["outcomes"]:
            if outcome.reason:
                print(f"    skipped: {outcome.note} ({outcome.reason})", file=out)
                counts["skipped"] += 1
            else:
                print(f"    done: {outcome.note}", file=out)
                counts[keys[channel.code]] += 1
    for message in report.get("stopped", []):
        print(f"STOPPED: {message}", file=out)
    for partner_id in report.get("errors", []):
        print(f"ERROR: customer #{partner_id} failed, see the log; it will be retried", file=out)
    print("   " + ", ".join(f"{name}: {count}" for name, count in counts.items()), file=out)


def print_preview(company, preview, out):
    print(f"== {company.name}: {len(preview)} customer(s) would be processed (dry run, nothing sent)", file=out)
    for row in preview:
        print(f"- {row['partner'].display_name}: {row['level'].name}", file=out)
        for action in row["actions"]:
            print(f"    {action}", file=out)


def main(argv=None, out=sys.stdout):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        domain = [("payment_followup_enabled", "=", True)]
        if args.company:
            domain.append(("name", "=", args.company))
        companies = env["res.company"].search(domain)
        if not companies:
            print("No company has payment follow-ups enabled.", file=out)
            return 1
        for company in companies:
            followup = env["account.followup"].with_company(company)
            if args.dry_run:
                print_preview(company, followup._get_followup_preview(company), out)
                continue
            report = {}
            remaining, progress = True, -1
            while remaining and progress != len(report.get("done", [])):
                progress = len(report.get("done", []))
                remaining = followup._execute_followups(company, auto_commit=True, report=report)
                cr.commit()
            print_report(company, report, out)
        if not args.dry_run:
            # The responsibles' "assigned to you" e-mails, as the scheduled action sends them.
            env["mail.activity"]._followup_notify_responsibles(auto_commit=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
