/** @odoo-module **/

import { registry } from "@web/core/registry";

/** The customer statements screen with two follow-up plans: see tests/test_followup_plans.py. */
registry.category("web_tour.tours").add("account_payment_followup_plans", {
    test: true,
    url: "/web#action=account_payment_followup.action_customer_statements",
    steps: () => [
        {
            content: "Each customer's plan is in the list",
            trigger: ".o_account_payment_followup_customer:contains('Tour Consumer') .o_account_payment_followup_plan:contains('Consumers')",
            isCheck: true,
        },
        {
            trigger: ".o_account_payment_followup_customer:contains('Tour Business') .o_account_payment_followup_plan:contains('Default plan')",
            isCheck: true,
        },
        {
            content: "Only the consumers' plan",
            trigger: "select.o_account_payment_followup_plan_filter",
            run() {
                const select = this.$anchor[0];
                const option = [...select.options].find((o) => o.textContent === "Consumers");
                select.value = option.value;
                select.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            trigger: ".o_account_payment_followup_customers:not(:contains('Tour Business'))",
            extra_trigger: ".o_account_payment_followup_customer_name:contains('Tour Consumer')",
            isCheck: true,
        },
        {
            content: "Open the consumer",
            trigger: ".o_account_payment_followup_customer_name:contains('Tour Consumer')",
        },
        {
            content: "Its plan, by the plans' filters",
            trigger: ".o_account_payment_followup_partner_name:contains('Tour Consumer')",
            extra_trigger: "select.o_account_payment_followup_set_plan",
            run() {
                const select = document.querySelector("select.o_account_payment_followup_set_plan");
                const chosen = select.options[select.selectedIndex].textContent;
                if (!chosen.includes("(Consumers)")) {
                    throw new Error(`the plan shown is "${chosen}"`);
                }
            },
        },
        {
            content: "Move it to the default plan",
            trigger: "select.o_account_payment_followup_set_plan",
            run() {
                const select = this.$anchor[0];
                const option = [...select.options].find((o) => o.textContent === "Default plan");
                select.value = option.value;
                select.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "The customer's plan is now the one chosen",
            trigger: ".o_account_payment_followup_plan_chosen",
            run() {
                const select = document.querySelector("select.o_account_payment_followup_set_plan");
                const chosen = select.options[select.selectedIndex].textContent;
                if (chosen !== "Default plan") {
                    throw new Error(`the plan shown is "${chosen}"`);
                }
            },
        },
    ],
});
