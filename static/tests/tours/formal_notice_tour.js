/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Send & Print for a customer at the formal notice level: the e-mail proposed
 * is the formal notice's own, never another level's ("Second payment reminder").
 */
registry.category("web_tour.tours").add("account_payment_followup_formal_notice", {
    test: true,
    steps: () => [
        {
            content: "The customer's statement, at the formal notice",
            trigger: ".o_account_payment_followup_partner_name:contains('Notice Customer')",
            isCheck: true,
        },
        {
            content: "Send & Print",
            trigger: ".o_account_payment_followup_send",
        },
        {
            content: "E-mail is proposed, with the formal notice's template",
            trigger: ".o_field_widget[name=channel_line_ids] .o_data_row:has(td[name=channel]:contains('E-mail')) td[name=chosen] input:checked",
            isCheck: true,
        },
        {
            content: "The subject is the formal notice's own",
            trigger: ".o_field_widget[name=mail_subject] input",
            run() {
                const subject = this.$anchor[0].value;
                if (!subject.includes("Formal notice of payment") || subject.includes("reminder")) {
                    throw new Error(`The formal notice proposes the subject "${subject}"`);
                }
            },
        },
        {
            trigger: "button[name=action_send]",
        },
        {
            trigger: "body:not(:has(.o_dialog)) .o_account_payment_followup_partner_name",
            isCheck: true,
        },
    ],
});
