/** @odoo-module **/

import { Component, onWillStart, useState, useExternalListener } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Pager } from "@web/core/pager/pager";

const MODEL = "account.followup.statement";

/**
 * Customer statements: the customers in need of a follow-up and, for one
 * customer, its statement and the follow-up actions. The list state (filter,
 * search, page, selection) is kept while a customer is open.
 */
export class CustomerStatements extends Component {
    static template = "account_payment_followup.CustomerStatements";
    static components = { Pager };
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        this.env.config.setDisplayName(_t("Customer Statements"));
        const params = this.props.action.params || {};
        this.state = useState({
            filter: "action",
            search: "",
            offset: 0,
            limit: 40,
            total: 0,
            customers: [],
            canEdit: false,
            followupEnabled: true,
            cursor: 0,
            selected: {},
            partnerId: params.partner_id || false,
            statement: null,
        });
        this.trustLabels = {
            good: _t("Good debtor"),
            normal: _t("Normal debtor"),
            bad: _t("Bad debtor"),
        };
        this.statusLabels = {
            in_need_of_action: _t("In need of action"),
            with_overdue_invoices: _t("With overdue invoices"),
            no_action_needed: _t("No action needed"),
        };
        useExternalListener(window, "keydown", this.onKeydown);
        onWillStart(async () => {
            await this.loadCustomers();
            if (this.state.partnerId) {
                await this.loadStatement();
            }
        });
    }

    // ------------------------------------------------------------------
    // Data
    // ------------------------------------------------------------------

    async loadCustomers() {
        const result = await this.orm.call(MODEL, "get_customers", [], {
            filter_name: this.state.filter,
            search: this.state.search,
            offset: this.state.offset,
            limit: this.state.limit,
        });
        Object.assign(this.state, {
            customers: result.customers,
            total: result.total,
            canEdit: result.can_edit,
            followupEnabled: result.followup_enabled,
        });
        this.state.cursor = Math.min(this.state.cursor, Math.max(result.customers.length - 1, 0));
    }

    async loadStatement() {
        this.state.statement = await this.orm.call(MODEL, "get_statement", [this.state.partnerId]);
    }

    async refresh() {
        await this.loadCustomers();
        if (this.state.partnerId) {
            await this.loadStatement();
        }
    }

    // ------------------------------------------------------------------
    // List
    // ------------------------------------------------------------------

    async setFilter(filter) {
        Object.assign(this.state, { filter, offset: 0, cursor: 0, selected: {} });
        await this.loadCustomers();
    }

    async onSearch(ev) {
        Object.assign(this.state, { search: ev.target.value, offset: 0, cursor: 0 });
        await this.loadCustomers();
    }

    async onPagerUpdate({ offset, limit }) {
        Object.assign(this.state, { offset, limit, cursor: 0 });
        await this.loadCustomers();
    }

    toggleSelected(customerId) {
        this.state.selected[customerId] = !this.state.selected[customerId];
    }

    get selectedIds() {
        return Object.keys(this.state.selected)
            .filter((id) => this.state.selected[id])
            .map((id) => parseInt(id));
    }

    async openCustomer(customerId) {
        this.state.partnerId = customerId;
        await this.loadStatement();
    }

    backToList() {
        this.state.partnerId = false;
        this.state.statement = null;
        return this.loadCustomers();
    }

    onKeydown(ev) {
        if (this.state.partnerId || ["INPUT", "TEXTAREA", "SELECT"].includes(ev.target.tagName)) {
            return;
        }
        const count = this.state.customers.length;
        if (!count) {
            return;
        }
        if (ev.key === "ArrowDown") {
            this.state.cursor = Math.min(this.state.cursor + 1, count - 1);
            ev.preventDefault();
        } else if (ev.key === "ArrowUp") {
            this.state.cursor = Math.max(this.state.cursor - 1, 0);
            ev.preventDefault();
        } else if (ev.key === "Enter") {
            this.openCustomer(this.state.customers[this.state.cursor].id);
            ev.preventDefault();
        }
    }

    // ------------------------------------------------------------------
    // Statement
    // ------------------------------------------------------------------

    async setTrust(trust) {
        await this.orm.call(MODEL, "set_trust", [this.state.partnerId, trust]);
        await this.refresh();
    }

    async toggleExcluded(line) {
        await this.orm.call(MODEL, "set_excluded", [line.move_id, !line.excluded]);
        await this.refresh();
    }

    async setExpectedDate(line, ev) {
        await this.orm.call(MODEL, "set_expected_date", [line.move_id, ev.target.value || false]);
        await this.refresh();
    }

    openInvoice(line) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "account.move",
            res_id: line.move_id,
            views: [[false, "form"]],
            target: "current",
        });
    }

    openCustomerForm() {
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "res.partner",
            res_id: this.state.partnerId,
            views: [[false, "form"]],
            target: "current",
        });
    }

    /** Run a res.partner action method and refresh the screen when it is done. */
    async partnerAction(method, partnerIds = [this.state.partnerId]) {
        const action = await this.orm.call("res.partner", method, [partnerIds]);
        if (action && typeof action === "object") {
            await this.action.doAction(action, { onClose: () => this.refresh() });
        }
        await this.refresh();
    }

    async emailSelected() {
        const ids = this.selectedIds;
        if (!ids.length) {
            return;
        }
        const action = await this.orm.call("res.partner", "action_followup_send", [ids]);
        await this.action.doAction(action, { onClose: () => this.refresh() });
    }

    printSelected() {
        const ids = this.selectedIds;
        if (ids.length) {
            return this.partnerAction("action_followup_print_letter", ids);
        }
    }
}

registry.category("actions").add("account_payment_followup.customer_statements", CustomerStatements);
