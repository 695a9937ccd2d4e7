"""Screenshots of the addon for README.rst, taken in headless Chromium from a
running demo server (``bash dev/dev.sh run``).

    python dev/screenshots.py [--url http://localhost:8069] [--db apf_demo] [--out static/description]

It logs in as admin, then captures the Customer statements screen, one
customer's statement, the follow-up levels, a letter, and the latest e-mail
the demo's mail catcher received (``--mail-dir``).
"""

import argparse
import base64
import email
import email.policy
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket


class Browser:
    """The least of the Chrome DevTools protocol needed to log in and capture pages."""

    def __init__(self, width=1280, height=800):
        self.profile = tempfile.mkdtemp(prefix="apf-chromium-")
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=9333",
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _attempt in range(50):
            try:
                with urllib.request.urlopen("http://127.0.0.1:9333/json", timeout=1) as response:
                    pages = [page for page in json.load(response) if page["type"] == "page"]
                if pages:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        self.socket = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.call("Page.enable")

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        return result.get("result", {}).get("value")

    def goto(self, url, wait_for="body", timeout=30):
        self.call("Page.navigate", url=url)
        self.wait_for(wait_for, timeout)

    def wait_for(self, selector, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                time.sleep(1)  # let fonts and the last renders settle
                return
            time.sleep(0.3)
        raise TimeoutError(f"{selector} did not appear")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        Path(path).write_bytes(base64.b64decode(data))
        print(f"screenshot: {path}")

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def latest_mail_html(mail_dir):
    """The HTML body of the newest payment reminder the mail catcher stored."""
    files = sorted(Path(mail_dir).glob("*.eml"), key=lambda path: path.stat().st_mtime)
    for path in reversed(files):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if "reminder" in (message["subject"] or "").lower() or "payment" in (message["subject"] or "").lower():
            body = message.get_body(("html",))
            header = (
                f"<div style='font-family:sans-serif;border-bottom:1px solid #ccc;padding:8px;margin-bottom:8px'>"
                f"<b>From:</b> {message['from']}<br/><b>To:</b> {message['to']}<br/>"
                f"<b>Subject:</b> {message['subject']}</div>"
            )
            return header + body.get_content()
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="apf_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "static" / "description"))
    parser.add_argument("--mail-dir", default=str(Path(__file__).resolve().parents[1] / ".dev" / "mail"))
    args = parser.parse_args()
    out = Path(args.out)
    browser = Browser()
    try:
        browser.goto(f"{args.url}/web/login?db={args.db}", "input[name=login]")
        browser.evaluate(
            f"document.querySelector('input[name=login]').value = {json.dumps(args.login)};"
            f"document.querySelector('input[name=password]').value = {json.dumps(args.password)};"
            "document.querySelector('form.oe_login_form').submit();"
        )
        time.sleep(2)
        browser.goto(
            f"{args.url}/web#action=account_payment_followup.action_customer_statements",
            ".o_account_payment_followup_customer",
        )
        browser.screenshot(out / "customer_statements.png")
        browser.evaluate(
            "[...document.querySelectorAll('.o_account_payment_followup_customer_name')]"
            ".find((cell) => cell.textContent.includes('Granite')).click()"
        )
        browser.wait_for(".o_account_payment_followup_lines")
        browser.screenshot(out / "customer_statement.png")
        browser.goto(
            f"{args.url}/web#action=account_payment_followup.account_followup_level_action",
            ".o_list_renderer",
        )
        browser.screenshot(out / "followup_levels.png")
        partner_id = browser.evaluate(
            "fetch('/web/dataset/call_kw', {method: 'POST', headers: {'Content-Type': 'application/json'},"
            " body: JSON.stringify({jsonrpc: '2.0', method: 'call', params: {model: 'res.partner',"
            " method: 'search', args: [[['name', '=', 'Granite Builders']]], kwargs: {}}})})"
            ".then((r) => r.json()).then((r) => r.result[0])"
        )
        browser.goto(
            f"{args.url}/report/html/account_payment_followup.report_followup_letter/{partner_id}",
            ".page",
        )
        browser.screenshot(out / "followup_letter.png")
        html = latest_mail_html(args.mail_dir)
        if html:
            page = Path(tempfile.mkdtemp()) / "mail.html"
            page.write_text(html)
            browser.goto(page.as_uri(), "table")
            browser.screenshot(out / "followup_email.png")
        else:
            print(f"no e-mail in {args.mail_dir} yet: run the follow-ups first (bash dev/dev.sh followup)")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
