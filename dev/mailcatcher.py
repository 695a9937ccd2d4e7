"""A local SMTP sink for the demo: every message Odoo sends is stored as an
.eml file instead of going out, so you see exactly what a customer would get.

    python dev/mailcatcher.py --port 2525 --dir .dev/mail
"""

import argparse
import asyncio
import email.policy
import time
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller


class EmlWriter:
    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        message = BytesParser(policy=email.policy.default).parsebytes(envelope.original_content or b"")
        subject = "".join(c if c.isalnum() else "-" for c in (message["subject"] or "no-subject"))[:60]
        path = self.folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{self.count:04d}-{subject}.eml"
        path.write_bytes(envelope.original_content or envelope.content)
        print(f"mail catcher: {', '.join(envelope.rcpt_tos)} <- {message['subject']} ({path.name})", flush=True)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--dir", default="mail")
    args = parser.parse_args()
    controller = Controller(EmlWriter(args.dir), hostname=args.host, port=args.port)
    controller.start()
    print(f"mail catcher: listening on {args.host}:{args.port}, writing to {args.dir}", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
