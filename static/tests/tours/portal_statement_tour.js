/** @odoo-module **/

import { registry } from "@web/core/registry";

function assert(condition, message) {
    if (!condition) {
        console.warn(message);
        throw new Error(message);
    }
}

/** Nothing of `selector` lies beyond the screen's right edge, nothing scrolls sideways. */
function assertFits(selector) {
    const el = document.querySelector(selector);
    assert(el, `${selector} is missing`);
    const width = window.innerWidth;
    assert(width <= 400, `the screen is a phone's (${width} px)`);
    assert(
        document.documentElement.scrollWidth <= width,
        `the page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`
    );
    for (const scroller of document.querySelectorAll(".table-responsive")) {
        assert(
            scroller.scrollWidth <= scroller.clientWidth,
            `the table scrolls sideways: ${scroller.scrollWidth} > ${scroller.clientWidth}`
        );
    }
    for (const node of el.querySelectorAll("*")) {
        const rect = node.getBoundingClientRect();
        if (rect.width && rect.right > width + 1) {
            assert(false, `${node.className || node.tagName} is off-screen (${rect.right} > ${width})`);
        }
    }
}

registry.category("web_tour.tours").add("account_payment_followup_portal_phone", {
    test: true,
    steps: () => [
        {
            content: "The statement's amounts are in sight on a phone",
            trigger: ".o_account_payment_followup_portal_statement .o_account_payment_followup_amount:contains('100,00')",
            run() {
                assertFits(".o_account_payment_followup_portal_statement");
                for (const amount of document.querySelectorAll(".o_account_payment_followup_amount")) {
                    const rect = amount.getBoundingClientRect();
                    assert(rect.width > 0 && rect.right <= window.innerWidth, `${amount.textContent} is cut off`);
                }
            },
        },
        {
            content: "A link with a wrong token",
            trigger: ".o_account_payment_followup_line",
            run() {
                const url = new URL(window.location.href);
                url.searchParams.set("access_token", "not-the-token");
                window.location.href = url.toString();
            },
        },
        {
            content: "says the link is not valid, not Odoo's login page",
            trigger: ".o_account_payment_followup_invalid_link:contains('This link is not valid')",
            run() {
                assert(!document.querySelector("form.oe_login_form"), "not the login page");
                assertFits(".o_account_payment_followup_invalid_link");
            },
        },
    ],
});
