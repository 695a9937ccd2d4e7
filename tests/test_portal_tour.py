from odoo.tests import tagged

from .test_statement_page import StatementPageCommon


@tagged("post_install", "-at_install")
class TestPortalPhoneTour(StatementPageCommon):
    """The customer's statement page on a phone (390 px), and a wrong link."""

    def authenticate(self, user, password, browser=None):
        session = super().authenticate(user, password, browser=browser)
        if browser:
            # Headless Chromium keeps windows at least 500 px wide: emulate the
            # phone's screen instead, as Chrome's device toolbar does.
            browser._websocket_request(
                "Emulation.setDeviceMetricsOverride",
                params={"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True},
            )
        return session

    def test_statement_page_on_a_phone_and_a_wrong_link(self):
        # Long names and amounts: the widest a row gets.
        self.old.ref = "Purchase order 2026-000123 / project Rénovation"
        self._enable_demo_provider()
        self.start_tour(self._page_url(), "account_payment_followup_portal_phone")
