/** @odoo-module **/

import { registry } from "@web/core/registry";

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
            content: "All customers with open items",
            trigger: ".o_account_payment_followup_filter_all",
        },
        {
            trigger: ".o_account_payment_followup_customer_name:contains('Tour Early Customer')",
            isCheck: true,
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
            trigger: ".o_account_payment_followup_partner_name:contains('Tour Late Customer')",
            isCheck: true,
        },
        {
            content: "Exclude the litigation invoice",
            trigger: ".o_account_payment_followup_line:contains('Litigation') .o_account_payment_followup_excluded",
        },
        {
            trigger: ".o_account_payment_followup_line.text-muted:contains('Litigation')",
            isCheck: true,
        },
        {
            content: "Change the trust dot",
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
            content: "Back to the list, which kept its search",
            trigger: ".o_account_payment_followup_back",
        },
        {
            trigger: ".o_account_payment_followup_search",
            run: function () {
                if (this.$anchor.val() !== "Tour Late") {
                    throw new Error("The list lost its search");
                }
            },
        },
    ],
});
