/** @odoo-module **/

import { registry } from "@web/core/registry";

/** A search that matches no customer is not praised: see tests/test_walk_fixes.py. */
registry.category("web_tour.tours").add("account_payment_followup_walk_empty_search", {
    test: true,
    url: "/web#action=account_payment_followup.action_customer_statements",
    steps: () => [
        {
            content: "The customer in need of action is listed",
            trigger: ".o_account_payment_followup_customer_name:contains('Walk Customer')",
            isCheck: true,
        },
        {
            content: "Search a name no customer has",
            trigger: "input.o_account_payment_followup_search",
            run() {
                const input = this.$anchor[0];
                input.value = "Nobody by that name";
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "The list says the search found nothing, not that all is done",
            trigger: ".o_account_payment_followup_empty:contains('No customer matches the search or the plan.')",
            extra_trigger: ".o_account_payment_followup_customers:not(:contains('Walk Customer'))",
            isCheck: true,
        },
        {
            trigger: ".o_account_payment_followup_customers:not(:contains('Well done'))",
            isCheck: true,
        },
    ],
});
