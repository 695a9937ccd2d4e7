/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Send & Print with a letter, as the administrator of a company whose document
 * layout was never configured: the letter is produced (no "Configure your
 * document layout" dialog in its way) and the dialog ends with what happened.
 */
registry.category("web_tour.tours").add("account_payment_followup_letter", {
    test: true,
    steps: () => [
        {
            content: "The customer's statement",
            trigger: ".o_account_payment_followup_partner_name:contains('Tour Late Customer')",
            isCheck: true,
        },
        {
            content: "Send & Print",
            trigger: ".o_account_payment_followup_send",
        },
        {
            content: "Tick the letter",
            trigger: ".o_field_widget[name=channel_line_ids] .o_data_row:has(td[name=channel]:contains('Letter')) td[name=chosen]",
        },
        {
            trigger: ".o_field_widget[name=channel_line_ids] .o_data_row:has(td[name=channel]:contains('Letter')) td[name=chosen] input:checked",
            isCheck: true,
        },
        {
            trigger: "button[name=action_send]",
        },
        {
            content: "What happened, and no document layout dialog",
            trigger: ".o_notification:contains('1 letter printed')",
            extra_trigger: "body:not(:has(.modal))",
            isCheck: true,
        },
        {
            trigger: ".o_account_payment_followup_history:contains('Letter: Sent')",
            isCheck: true,
        },
    ],
});
