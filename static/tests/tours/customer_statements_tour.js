/** @odoo-module **/

import { registry } from "@web/core/registry";

const { DateTime } = luxon;

function assert(condition, message) {
    if (!condition) {
        console.warn(message);
        throw new Error(message);
    }
}

/** What a keyboard does to an input, without the "change" of Enter or blur. */
function typeKeys(input, text) {
    for (const char of text) {
        input.dispatchEvent(new KeyboardEvent("keydown", { key: char, bubbles: true }));
        input.value += char;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new KeyboardEvent("keyup", { key: char, bubbles: true }));
    }
}

/** The expected date typed in the tour: in 60 days, in the user's (en_US) format. */
export function tourExpectedDate() {
    return DateTime.now().plus({ days: 60 }).toFormat("MM/dd/yyyy");
}

registry.category("web_tour.tours").add("account_payment_followup_statements", {
    test: true,
    url: "/web#action=account_payment_followup.action_customer_statements",
    steps: () => [
        {
            content: "The late customer is in need of action",
            trigger: ".o_account_payment_followup_filter_action.active",
        },
        {
            trigger: ".o_account_payment_followup_customer_name:contains('Tour Late Customer')",
            isCheck: true,
        },
        {
            content: "The customer who is not late is not there",
            trigger: ".o_account_payment_followup_customers:not(:contains('Tour Early Customer'))",
            isCheck: true,
        },
        {
            content: "The search's placeholder is whole (1366 px wide screen)",
            trigger: ".o_account_payment_followup_search",
            run() {
                const input = this.$anchor[0];
                const style = window.getComputedStyle(input);
                const context = document.createElement("canvas").getContext("2d");
                context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
                const text = context.measureText(input.placeholder).width;
                const room =
                    input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
                assert(text <= room, `the placeholder is cut: ${text} > ${room}`);
            },
        },
        {
            content: "Its responsible is shown",
            trigger: ".o_account_payment_followup_customer:contains('Tour Late Customer') .o_account_payment_followup_responsible:contains('Anna Accountant')",
            isCheck: true,
        },
        {
            content: "All customers with open items",
            trigger: ".o_account_payment_followup_filter_all",
        },
        {
            trigger: ".o_account_payment_followup_customer_name:contains('Tour Early Customer')",
            isCheck: true,
        },
        {
            content: "Sort by customer, then the other way",
            trigger: ".o_account_payment_followup_sort_name",
        },
        {
            trigger: ".o_account_payment_followup_sort_name .fa-angle-up",
        },
        {
            // the list is read again: wait for the new order, not only the arrow
            trigger: ".o_account_payment_followup_sort_name .fa-angle-down",
            isCheck: true,
        },
        {
            trigger: ".o_account_payment_followup_customer:first:contains('Tour Late Customer')",
            run() {
                const names = [...document.querySelectorAll(".o_account_payment_followup_customer_name")].map(
                    (el) => el.textContent
                );
                assert(
                    names.indexOf("Tour Late Customer") < names.indexOf("Tour Early Customer"),
                    `not sorted by name, descending: ${names}`
                );
            },
        },
        {
            content: "Select all",
            trigger: ".o_account_payment_followup_select_all",
        },
        {
            trigger: ".o_account_payment_followup_print_selected:not([disabled])",
            run() {
                const boxes = [...document.querySelectorAll(".o_account_payment_followup_select_one")];
                assert(boxes.length >= 2 && boxes.every((box) => box.checked), "select all did not select all");
            },
        },
        {
            content: "Search by name",
            trigger: ".o_account_payment_followup_search",
            run: "text Tour Late",
        },
        {
            trigger: ".o_account_payment_followup_customers:not(:contains('Tour Early Customer'))",
            isCheck: true,
        },
        {
            content: "Open the late customer",
            trigger: ".o_account_payment_followup_customer_name:contains('Tour Late Customer')",
        },
        {
            content: "Its statement, under a breadcrumb back to the list",
            trigger: ".o_breadcrumb .breadcrumb-item:contains('Customer Statements')",
            extra_trigger: ".o_account_payment_followup_partner_name:contains('Tour Late Customer')",
            isCheck: true,
        },
        {
            content: "Exclude the litigation invoice",
            trigger: ".o_account_payment_followup_line:contains('Litigation') .o_account_payment_followup_excluded",
        },
        {
            trigger: ".o_account_payment_followup_line.text-muted:contains('Litigation')",
            run() {
                assert(/partner_id=\d+/.test(window.location.hash), `the URL lost the customer: ${window.location.hash}`);
            },
        },
        {
            content: "Change the trust dot (Odoo's dropdown)",
            trigger: ".o_account_payment_followup_trust_button",
        },
        {
            trigger: ".o_account_payment_followup_set_trust_bad",
        },
        {
            trigger: ".o_account_payment_followup_trust_button .o_account_payment_followup_trust_bad",
            isCheck: true,
        },
        {
            content: "Log a note with a postponement",
            trigger: ".o_account_payment_followup_note",
        },
        {
            trigger: ".o_field_widget[name=note] textarea",
            run: "text Promised to pay next week",
        },
        {
            trigger: ".o_field_widget[name=postpone] input[data-value='1w']",
        },
        {
            trigger: "button[name=action_apply]",
        },
        {
            content: "Back on the statement once the dialog is closed",
            trigger: "body:not(:has(.modal)) .o_account_payment_followup_partner_name",
            isCheck: true,
        },
        {
            content: "Typing an expected date: the keystrokes save nothing",
            trigger: ".o_account_payment_followup_line:contains('Unpaid') .o_account_payment_followup_expected input",
            run() {
                const input = this.$anchor[0];
                input.focus();
                input.value = "";
                typeKeys(input, tourExpectedDate().slice(0, 4));
            },
        },
        {
            content: "A text that is no date, confirmed, is put back and saves nothing",
            trigger: ".o_account_payment_followup_line:contains('Unpaid') .o_account_payment_followup_expected input",
            run() {
                const input = this.$anchor[0];
                input.value = "no date at all";
                input.dispatchEvent(new Event("input", { bubbles: true }));
                input.dispatchEvent(new Event("change", { bubbles: true }));
                assert(input.value !== "no date at all", "the invalid text was kept");
            },
        },
        {
            content: "A complete date, confirmed (Enter): saved once",
            trigger: ".o_account_payment_followup_line:contains('Unpaid') .o_account_payment_followup_expected input",
            run() {
                const input = this.$anchor[0];
                input.focus();
                input.value = "";
                typeKeys(input, tourExpectedDate());
                input.dispatchEvent(new Event("change", { bubbles: true }));
                input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
            },
        },
        {
            trigger: `.o_account_payment_followup_line:contains('Unpaid') .o_account_payment_followup_expected[data-value='${DateTime.now()
                .plus({ days: 60 })
                .toISODate()}']`,
            isCheck: true,
        },
        {
            content: "Send & Print: the e-mail, edited for this customer",
            trigger: ".o_account_payment_followup_send",
        },
        {
            trigger: ".o_field_widget[name=mail_body] .note-editable",
            run: "text A personal word for Tour Late Customer",
        },
        {
            trigger: "button[name=action_send]",
        },
        {
            trigger: "body:not(:has(.modal)) .o_account_payment_followup_partner_name",
            isCheck: true,
        },
        {
            content: "Open the customer's form",
            trigger: ".o_account_payment_followup_open_customer",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=name]",
            isCheck: true,
        },
        {
            content: "Back to the statement by its breadcrumb",
            trigger: ".o_breadcrumb .breadcrumb-item.o_back_button a:contains('Tour Late Customer')",
        },
        {
            trigger: ".o_account_payment_followup_partner_name:contains('Tour Late Customer')",
            extra_trigger: ".o_account_payment_followup_lines",
            isCheck: true,
        },
        {
            content: "All past follow-ups: the screen is left while it refreshes (no 'Component is destroyed')",
            trigger: ".o_account_payment_followup_open_history",
        },
        {
            trigger: ".o_list_view .o_data_row",
            extra_trigger: ".o_breadcrumb .breadcrumb-item:contains('Tour Late Customer')",
            isCheck: true,
        },
        {
            content: "Back to the statement",
            trigger: ".o_breadcrumb .breadcrumb-item.o_back_button a:contains('Tour Late Customer')",
        },
        {
            trigger: ".o_account_payment_followup_partner_name:contains('Tour Late Customer')",
            extra_trigger: ".o_account_payment_followup_lines",
            isCheck: true,
        },
        {
            content: "Escape: back to the list, which kept its filter and its search",
            trigger: ".o_account_payment_followup_statement",
            run() {
                document.activeElement.blur();
                document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
            },
        },
        {
            trigger: ".o_account_payment_followup_filter_all.active",
            extra_trigger: ".o_account_payment_followup_customers",
            run() {
                const search = document.querySelector(".o_account_payment_followup_search");
                assert(search.value === "Tour Late", "The list lost its search");
                assert(!/partner_id=/.test(window.location.hash), "the URL still holds the customer");
            },
        },
    ],
});

registry.category("web_tour.tours").add("account_payment_followup_statements_navigation", {
    test: true,
    url: "/web#action=account_payment_followup.account_followup_aged_receivable_action",
    steps: () => [
        {
            content: "From the aged receivable, open a customer's statement",
            trigger: ".o_data_row .o_data_cell[name=partner_id]:contains('Tour Late Customer')",
        },
        {
            trigger: ".o_breadcrumb .breadcrumb-item:contains('Aged Receivable')",
            extra_trigger: ".o_account_payment_followup_partner_name:contains('Tour Late Customer')",
            isCheck: true,
        },
        {
            content: "Escape goes back to the aged receivable",
            trigger: ".o_account_payment_followup_statement",
            run() {
                document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
            },
        },
        {
            trigger: ".o_list_view .o_data_cell[name=partner_id]:contains('Tour Late Customer')",
            isCheck: true,
        },
    ],
});

registry.category("web_tour.tours").add("account_payment_followup_statements_url", {
    test: true,
    steps: () => [
        {
            content: "The URL opened the customer's statement (a reload keeps it)",
            trigger: ".o_account_payment_followup_partner_name:contains('Tour Late Customer')",
            isCheck: true,
        },
        {
            content: "... and its breadcrumb: the list behind it",
            trigger: ".o_breadcrumb .breadcrumb-item:contains('Customer Statements')",
            extra_trigger: ".o_breadcrumb .o_last_breadcrumb_item:contains('Tour Late Customer')",
            run() {
                assert(/partner_id=/.test(window.location.hash), "the URL lost the customer");
            },
        },
        {
            content: "Escape: the list",
            trigger: ".o_account_payment_followup_statement",
            run() {
                document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
            },
        },
        {
            trigger: ".o_account_payment_followup_customer_name:contains('Tour Late Customer')",
            isCheck: true,
        },
    ],
});

function assertFits(selector) {
    const el = document.querySelector(selector);
    assert(el, `${selector} is missing`);
    const width = window.innerWidth;
    assert(
        document.documentElement.scrollWidth <= width,
        `the page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`
    );
    for (const node of el.querySelectorAll("*")) {
        const rect = node.getBoundingClientRect();
        if (rect.width && rect.right > width + 1) {
            assert(false, `${node.className || node.tagName} is off-screen (${rect.right} > ${width})`);
        }
    }
}

registry.category("web_tour.tours").add("account_payment_followup_statements_phone", {
    test: true,
    url: "/web#action=account_payment_followup.action_customer_statements",
    steps: () => [
        {
            content: "On a phone the customers are cards, nothing off-screen",
            trigger: ".o_account_payment_followup_cards .o_account_payment_followup_customer_name:contains('Tour Late Customer')",
            run() {
                assertFits(".o_account_payment_followup_statements");
            },
        },
        {
            trigger: ".o_account_payment_followup_customer_name:contains('Tour Late Customer')",
        },
        {
            content: "The statement's invoices are cards with their amounts in sight",
            trigger: ".o_account_payment_followup_lines .card:contains('Unpaid')",
            run() {
                assertFits(".o_account_payment_followup_statements");
            },
        },
    ],
});

registry.category("web_tour.tours").add("account_payment_followup_statements_last_followup", {
    test: true,
    url: "/web#action=account_payment_followup.action_customer_statements",
    steps: () => [
        {
            content: "The pager's '1-2 / 2' stays on one line beside the toolbar (1366 px)",
            trigger: ".o_account_payment_followup_statements .o_pager_counter",
            run() {
                const counter = this.$anchor[0];
                const lineHeight = parseFloat(window.getComputedStyle(counter).lineHeight) || 20;
                const height = counter.getBoundingClientRect().height;
                assert(height < 1.5 * lineHeight, `the pager is folded on several lines: ${height}px high`);
                // with more customers ("1-80 / 123") it would fold where it may wrap
                assert(
                    window.getComputedStyle(counter).whiteSpace === "nowrap",
                    "the pager may fold on several lines"
                );
            },
        },
        {
            trigger: ".o_account_payment_followup_customer_name:contains('Tour Late Customer')",
        },
        {
            content: "The level the scheduled action only proposed is the last follow-up, said to be in progress",
            trigger:
                ".o_account_payment_followup_last_followup:contains('Last follow-up: Call the customer'):contains('(the scheduled action)') .badge:contains('in progress')",
            isCheck: true,
        },
    ],
});
