/** @odoo-module **/

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("account_payment_followup_conversation", {
    test: true,
    url: "/web#action=account_payment_followup.action_customer_statements",
    steps: () => [
        {
            content: "All customers with open items",
            trigger: ".o_account_payment_followup_filter_all",
        },
        {
            content: "Open the customer who talks back",
            trigger: ".o_account_payment_followup_customer_name:contains('Tour Talking Customer')",
        },
        {
            content: "The disputed invoice stays on the statement, marked",
            trigger: ".o_account_payment_followup_line:contains('Quality issue') .o_account_payment_followup_in_dispute",
            isCheck: true,
        },
        {
            trigger: ".o_account_payment_followup_dispute:contains('Quality')",
            isCheck: true,
        },
        {
            content: "The broken promise is shown",
            trigger: ".o_account_payment_followup_broken_promise:contains('was promised for')",
            isCheck: true,
        },
        {
            content: "The customer replied: resume the reminders at once",
            trigger: ".o_account_payment_followup_replied .o_account_payment_followup_resume",
        },
        {
            trigger: ".o_account_payment_followup_conversation:not(:has(.o_account_payment_followup_replied))",
            isCheck: true,
        },
        {
            content: "Two broken promises suggest a bad debtor: apply it",
            trigger: ".o_account_payment_followup_suggested_trust:contains('Bad Debtor') + .o_account_payment_followup_apply_trust",
        },
        {
            trigger: ".o_account_payment_followup_trust_button .o_account_payment_followup_trust_bad",
            isCheck: true,
        },
        {
            content: "Dispute another invoice",
            trigger: ".o_account_payment_followup_open_dispute",
        },
        {
            trigger: ".o_field_widget[name=move_id] input",
            run: "text Promised",
        },
        {
            content: "Only the open invoices that are not in dispute are offered",
            trigger: ".ui-autocomplete .dropdown-item:contains('Promised invoice')",
        },
        {
            content: "The invoice's amount due shows once it is chosen",
            trigger: ".o_field_widget[name=amount_residual]:contains('100.00')",
            isCheck: true,
        },
        {
            trigger: ".o_field_widget[name=reason] input",
            run: "text Wrong",
        },
        {
            trigger: ".ui-autocomplete .dropdown-item:contains('Wrong amount')",
        },
        {
            trigger: ".o_form_button_save",
        },
        {
            content: "Back on the statement, the invoice is in dispute",
            trigger: "body:not(:has(.modal)) .o_account_payment_followup_dispute:contains('Wrong amount')",
            isCheck: true,
        },
    ],
});
