from unittest.mock import patch

from freezegun import freeze_time

from odoo import _
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from ..followup.channels import CHANNELS, ChannelOutcome, FollowupChannel
from ..followup.definitions import CHANNEL_SENT
from .common import FollowupCommon


class PigeonChannel(FollowupChannel):
    """A channel added the way a contributor adds one (a WhatsApp message, say):
    its unit only. It has no field of its own on the level here (a test adds no
    column): the levels that ask for it are listed on the class."""

    code = "pigeon"
    weight = 50  # more personal than a call
    capped = True  # counted with the e-mails by the safety cap
    sendable = True
    levels = []  # the ids of the levels that ask for it (the test's)

    def title(self):
        return _("Carrier pigeon")

    def label(self):
        return _("carrier pigeon")

    def is_enabled(self, level):
        return level.id in self.levels

    def get_level_fields(self):
        return []

    def get_summary(self, state, count):
        return _("%s pigeon(s) flown", count) if state == CHANNEL_SENT else None

    def get_blocker(self, situation):
        return "" if situation.partner.city else _("the customer has no pigeon loft")

    def describe(self, situation):
        blocker = self.get_blocker(situation)
        return _("carrier pigeon skipped: %s", blocker) if blocker else _("pigeon to %s", situation.partner.city)

    def run(self, situation, options):
        self.check(situation)
        return ChannelOutcome(CHANNEL_SENT, _("pigeon flown to %s", situation.partner.city))


@tagged("post_install", "-at_install")
class TestChannelTable(FollowupCommon):
    """Everything the addon knows about a channel comes from its unit: a channel
    added to the table (``account.followup._get_channels``) appears in the
    level's check, the preview, the e-mail cap, the run, the history, the main
    action, the analysis, the statement and Send & Print, with no other change."""

    @classmethod
    def setUpClass(cls, chart_template_ref=None):
        super().setUpClass(chart_template_ref=chart_template_ref)
        cls.no_loft = cls._create_customer("No Loft", "noloft@customer.example.com", city=False)
        for partner in cls.customer | cls.no_loft:
            cls._invoice(partner, 100, "2026-01-01")

    def setUp(self):
        super().setUp()
        Followup = self.env.registry["account.followup"]
        self.pigeon_levels = [self.level_first.id]
        self.startPatcher(patch.object(PigeonChannel, "levels", self.pigeon_levels))
        self.startPatcher(
            patch.object(
                Followup, "_get_channels", lambda followup: [c(followup.env) for c in (*CHANNELS, PigeonChannel)]
            )
        )

    def test_declared_selections_are_the_table(self):
        channels = self.env["account.followup"]._get_channels()
        self.assertEqual([channel.code for channel in channels], ["email", "letter", "sms", "manual", "pigeon"])
        history = self.env["account.followup.step.channel"]._fields["channel"]
        self.assertEqual(
            history._description_selection(self.env),
            [
                ("email", "E-mail"),
                ("letter", "Letter"),
                ("sms", "SMS"),
                ("manual", "Manual action"),
                ("pigeon", "Carrier pigeon"),
            ],
        )
        by_weight = [("pigeon", "Carrier pigeon"), ("manual", "Manual action"), ("letter", "Letter")]
        by_weight += [("sms", "SMS"), ("email", "E-mail")]
        for model, field in (
            ("account.followup.step", "main_channel"),
            ("account.followup.step", "used_channel"),
            ("account.followup.effectiveness.report", "channel"),
            ("account.followup.effectiveness.report", "used_channel"),
        ):
            self.assertEqual(self.env[model]._fields[field]._description_selection(self.env), by_weight, field)
        sendable = self.env["res.partner.followup.send.channel"]._fields["channel"]
        self.assertEqual(
            sendable._description_selection(self.env),
            [("email", "E-mail"), ("letter", "Letter"), ("sms", "SMS"), ("pigeon", "Carrier pigeon")],
            "a person sends what is sendable; the manual action is not sent",
        )

    def test_level_check_reads_the_table(self):
        Level = self.env["account.followup.level"]
        # a level asking only for the new channel does something
        level = Level.create({"name": "Pigeon only", "delay": 90, "company_id": self.company.id, "send_letter": True})
        self.pigeon_levels.append(level.id)
        level.send_letter = False
        self.assertFalse(level.send_letter)
        with self.assertRaisesRegex(
            ValidationError,
            r"does nothing: choose at least one action \(e-mail, letter, SMS, manual action or " r"carrier pigeon\)",
        ):
            Level.create({"name": "Nothing", "delay": 91, "company_id": self.company.id})
        # what each channel needs on the level, from its unit
        for delay, vals, message in (
            (92, {"send_email": True}, "sends an e-mail: choose its e-mail template"),
            (93, {"send_sms": True}, "sends an SMS: choose its SMS template"),
            (94, {"manual_action": True}, "has a manual action: say what is to be done"),
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(ValidationError, message):
                Level.create({"name": "Half set", "delay": delay, "company_id": self.company.id, **vals})
        level.write({"manual_action": True, "manual_action_note": "Call them"})
        with self.assertRaisesRegex(ValidationError, "has a manual action: say what is to be done"):
            level.manual_action_note = False

    def test_preview_cap_run_history_and_analysis(self):
        with freeze_time("2026-01-02"):
            preview = self.env["account.followup.preview"].create({"company_id": self.company.id})
            html = str(preview.preview_html)
            self.assertIn("pigeon to Bruxelles", html)
            self.assertIn("carrier pigeon skipped: the customer has no pigeon loft", html)
            # the statement says what the level due does
            statement = self.env["account.followup.statement"].get_statement(self.customer.id)
            self.assertEqual(
                statement["level"]["actions"],
                [
                    {"code": "email", "label": "E-mail"},
                    {"code": "letter", "label": "Letter"},
                    {"code": "pigeon", "label": "Carrier pigeon"},
                ],
            )
            # 2 customers at the first reminder: 2 e-mails + 2 pigeons, the cap counts 4
            self.assertEqual(preview.email_count, 4)
            self.company.followup_max_emails = 3
            self._run_cron()
            self.assertFalse(self.env["account.followup.step"].search([("partner_id", "=", self.customer.id)]))
            self.company.followup_max_emails = 4
            self._run_cron()
        step = self.env["account.followup.step"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(
            [(row.channel, row.state, row.note) for row in step.channel_ids if row.channel == "pigeon"],
            [("pigeon", "sent", "pigeon flown to Bruxelles")],
        )
        self.assertIn("Carrier pigeon: Sent", step.channel_summary)
        self.assertEqual(step.main_channel, "pigeon", "the most personal action the step made")
        skipped = self.env["account.followup.step"].search([("partner_id", "=", self.no_loft.id)])
        self.assertEqual(
            skipped.channel_ids.filtered(lambda row: row.channel == "pigeon").reason, "the customer has no pigeon loft"
        )
        self.assertEqual(skipped.main_channel, "email", "neither the pigeon nor the letter (no city) reached it")
        Step = self.env["account.followup.step"]
        self.assertEqual(Step.search([("used_channel", "=", "pigeon")]), step)
        self.assertEqual(Step.search([("sent_channel", "=", "pigeon")]), step)
        Report = self.env["account.followup.effectiveness.report"]
        self.assertEqual(Report.search([("used_channel", "=", "pigeon")]).step_id, step)
        self.assertEqual(Report.search([("step_id", "=", step.id)]).channel, "pigeon")

    def test_send_and_print_offers_warns_and_sums_up_from_the_table(self):
        partners = self.customer | self.no_loft
        with freeze_time("2026-01-02"):
            action = partners.with_user(self.accountant).action_followup_send()
            dialog = Form(self.env[action["res_model"]].with_user(self.accountant).with_context(**action["context"]))
            self.assertEqual(
                [line["channel"] for line in dialog.channel_line_ids._records], ["email", "letter", "sms", "pigeon"]
            )
            self._choose_channels(dialog, email=False, letter=False, sms=False, pigeon=True)
            self.assertEqual(dialog.warnings, "No Loft: the customer has no pigeon loft")
            result = dialog.save().action_send()
        self.assertEqual(
            result["params"]["message"], "1 pigeon(s) flown, 1 skipped: the customer has no pigeon loft (No Loft)."
        )
        step = self.env["account.followup.step"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(step.channel_ids.filtered(lambda row: row.channel == "pigeon").state, "sent")

    def test_send_and_print_proposes_the_channels_of_the_level(self):
        with freeze_time("2026-01-02"):
            action = self.customer.with_user(self.accountant).action_followup_send()
            dialog = Form(self.env[action["res_model"]].with_user(self.accountant).with_context(**action["context"]))
        self.assertEqual(dialog.level_id, self.level_first)
        self.assertEqual(self._chosen_channels(dialog), {"email", "letter", "pigeon"})

    def test_send_and_print_asks_for_one_of_its_channels(self):
        with freeze_time("2026-01-02"):
            wizard = (
                self.env["res.partner.followup.send"]
                .with_user(self.accountant)
                .with_context(default_partner_ids=self.customer.ids)
                .create({})
            )
            self._choose_channels(wizard, email=False, letter=False, sms=False, pigeon=False)
            with self.assertRaisesRegex(UserError, r"^Choose at least one of e-mail, letter, SMS or carrier pigeon\.$"):
                wizard.action_send()
