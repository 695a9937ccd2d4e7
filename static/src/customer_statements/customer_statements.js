/** @odoo-module **/

import { Component, onMounted, onWillStart, status, useState } from "@odoo/owl";
import { DateTimeInput } from "@web/core/datetime/datetime_input";
import { Dropdown } from "@web/core/dropdown/dropdown";
import { DropdownItem } from "@web/core/dropdown/dropdown_item";
import { useHotkey } from "@web/core/hotkeys/hotkey_hook";
import { deserializeDate, serializeDate } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { Pager } from "@web/core/pager/pager";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";
import { useSetupAction } from "@web/webclient/actions/action_hook";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const MODEL = "account.followup.statement";
const TAG = "account_payment_followup.customer_statements";
const FILTERS = ["action", "overdue", "all", "balanced"];

/**
 * Customer statements, one client action with two faces:
 * - without a customer: the customers in need of a follow-up (filters,
 *   search, sortable columns, pager, selection);
 * - with a customer (``partner_id`` in the action's params and in the URL):
 *   its statement and the follow-up actions.
 * Opening a customer pushes a new breadcrumb, as Odoo's own views do: the
 * list comes back with its filter, search, page and selection (local state),
 * the URL keeps the customer (reload, browser Back) and Escape goes back.
 * A statement opened with nothing behind it (a reload, a link) opens the list
 * first and the customer over it, so that its breadcrumb leads to the list.
 */
export class CustomerStatements extends Component {
    static template = "account_payment_followup.CustomerStatements";
    static components = { DateTimeInput, Dropdown, DropdownItem, Layout, Pager };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        this.router = useService("router");
        this.ui = useService("ui");
        // Params of the action, else of the URL (reload: the hash is the state).
        const action = this.props.action;
        const params = { ...(action.context?.params || {}), ...(action.params || {}) };
        const past = this.props.state || {};
        // Back to a breadcrumb: the customer it showed (none for the list).
        const partnerId = "partnerId" in past ? past.partnerId : parseInt(params.partner_id) || false;
        // A reload (or a link) of a statement: the list, then the customer on top.
        this.reopenPartnerId =
            partnerId && !("partnerId" in past) && this.env.config.breadcrumbs.length <= 1 ? partnerId : false;
        this.state = useState({
            filter: past.filter || (FILTERS.includes(params.filter) ? params.filter : "action"),
            search: past.search || "",
            offset: past.offset || 0,
            limit: past.limit || 40,
            order: past.order || "",
            // Only the customers of this follow-up plan (false: every plan).
            planId: past.planId || false,
            plans: [],
            total: 0,
            customers: [],
            canEdit: false,
            followupEnabled: true,
            cursor: past.cursor || 0,
            selected: past.selected || {},
            partnerId: this.reopenPartnerId ? false : partnerId,
            statement: null,
            // The labels of the trust and status values, as the server's fields
            // give them (in the user's language): sent with the data they label.
            labels: { trust: {}, status: {} },
        });
        this.columns = [
            { name: "name", label: _t("Customer") },
            { name: "status", label: _t("Status"), phone: false },
            { name: "total_due", label: _t("Total due"), numeric: true },
            { name: "total_overdue", label: _t("Overdue"), numeric: true },
            { name: "plan", label: _t("Plan"), phone: false },
            { name: "level", label: _t("Level") },
            { name: "next_date", label: _t("Next follow-up") },
            { name: "responsible", label: _t("Responsible") },
            { name: "trust", label: _t("Trust") },
        ];

        useSetupAction({
            getLocalState: () => {
                const { filter, search, offset, limit, order, planId, cursor, selected, partnerId } = this.state;
                return { filter, search, offset, limit, order, planId, cursor, selected, partnerId };
            },
        });
        useHotkey("escape", () => this.close(), { isAvailable: () => Boolean(this.state.partnerId) });
        const onList = () => !this.state.partnerId && this.state.customers.length > 0;
        useHotkey("arrowdown", () => this.moveCursor(1), { isAvailable: onList, allowRepeat: true });
        useHotkey("arrowup", () => this.moveCursor(-1), { isAvailable: onList, allowRepeat: true });
        useHotkey("enter", () => this.openCustomer(this.state.customers[this.state.cursor].id), {
            isAvailable: onList,
        });

        onWillStart(async () => {
            await (this.state.partnerId ? this.loadStatement() : this.loadCustomers());
        });
        onMounted(() => {
            this.pushUrl();
            if (this.reopenPartnerId) {
                this.openCustomer(this.reopenPartnerId);
            }
        });
    }

    /**
     * False once the screen was left (another action replaced it): what an
     * awaited call or a dialog's onClose would do after that is moot, and
     * the protected services refuse it ("Component is destroyed").
     */
    get isAlive() {
        return status(this) !== "destroyed";
    }

    get trustLabels() {
        return this.state.labels.trust;
    }

    get statusLabels() {
        return this.state.labels.status;
    }

    get isSmall() {
        return this.ui.isSmall;
    }

    /** The screen's state in the URL, beside the action: reload and Back keep it. */
    pushUrl() {
        if (this.state.partnerId) {
            this.router.pushState({ partner_id: this.state.partnerId, filter: undefined });
        } else {
            this.router.pushState({ partner_id: undefined, filter: this.state.filter });
        }
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
            order: this.state.order || null,
            plan_id: this.state.planId || null,
        });
        Object.assign(this.state, {
            customers: result.customers,
            plans: result.plans,
            total: result.total,
            canEdit: result.can_edit,
            followupEnabled: result.followup_enabled,
            labels: result.labels,
        });
        this.state.cursor = Math.min(this.state.cursor, Math.max(result.customers.length - 1, 0));
        this.env.config.setDisplayName(_t("Customer Statements"));
    }

    async loadStatement() {
        const statement = await this.orm.call(MODEL, "get_statement", [this.state.partnerId]);
        statement.lines = statement.lines.map((line) => ({
            ...line,
            expectedDate: line.expected_date ? deserializeDate(line.expected_date) : false,
        }));
        this.state.statement = statement;
        this.state.followupEnabled = statement.followup_enabled;
        this.state.labels = statement.labels;
        this.env.config.setDisplayName(statement.name);
    }

    async refresh() {
        if (!this.isAlive) {
            return;
        }
        await (this.state.partnerId ? this.loadStatement() : this.loadCustomers());
    }

    // ------------------------------------------------------------------
    // List
    // ------------------------------------------------------------------

    async setFilter(filter) {
        Object.assign(this.state, { filter, offset: 0, cursor: 0, selected: {} });
        await this.loadCustomers();
        if (this.isAlive) {
            this.pushUrl();
        }
    }

    async setPlanFilter(ev) {
        const planId = parseInt(ev.target.value) || false;
        Object.assign(this.state, { planId, offset: 0, cursor: 0, selected: {} });
        await this.loadCustomers();
    }

    /** Only the screen's filter by plan shows when the company has several plans. */
    get hasPlans() {
        return this.state.plans.length > 1;
    }

    async onSearch(ev) {
        Object.assign(this.state, { search: ev.target.value, offset: 0, cursor: 0 });
        await this.loadCustomers();
    }

    async setOrder(column) {
        const [current, direction] = this.state.order.split(" ");
        const order = current === column && direction !== "desc" ? `${column} desc` : column;
        Object.assign(this.state, { order, offset: 0, cursor: 0 });
        await this.loadCustomers();
    }

    sortIcon(column) {
        const [current, direction] = this.state.order.split(" ");
        if (current !== column) {
            return "";
        }
        return direction === "desc" ? "fa fa-angle-down" : "fa fa-angle-up";
    }

    async onPagerUpdate({ offset, limit }) {
        Object.assign(this.state, { offset, limit, cursor: 0 });
        await this.loadCustomers();
    }

    moveCursor(step) {
        const last = this.state.customers.length - 1;
        this.state.cursor = Math.max(0, Math.min(this.state.cursor + step, last));
    }

    toggleSelected(customerId) {
        this.state.selected[customerId] = !this.state.selected[customerId];
    }

    get allSelected() {
        const customers = this.state.customers;
        return customers.length > 0 && customers.every((customer) => this.state.selected[customer.id]);
    }

    toggleAll() {
        const value = !this.allSelected;
        for (const customer of this.state.customers) {
            this.state.selected[customer.id] = value;
        }
    }

    get selectedIds() {
        return Object.keys(this.state.selected)
            .filter((id) => this.state.selected[id])
            .map((id) => parseInt(id));
    }

    /** One customer's statement, as a new breadcrumb (and URL) of its own. */
    openCustomer(customerId) {
        const customer = this.state.customers.find((c) => c.id === customerId);
        return this.action.doAction({
            type: "ir.actions.client",
            tag: TAG,
            name: customer ? customer.name : _t("Customer Statement"),
            params: { partner_id: customerId },
        });
    }

    /** Back from a statement: to the previous breadcrumb, else to the list. */
    close() {
        if (this.env.config.breadcrumbs.length > 1) {
            return this.action.restore();
        }
        return this.action.doAction("account_payment_followup.action_customer_statements", {
            clearBreadcrumbs: true,
        });
    }

    // ------------------------------------------------------------------
    // Statement
    // ------------------------------------------------------------------

    async setTrust(trust) {
        await this.orm.call(MODEL, "set_trust", [this.state.partnerId, trust]);
        await this.refresh();
    }

    /** A person chooses the customer's plan (an empty choice: the plans' filters decide). */
    async setPlan(ev) {
        const planId = parseInt(ev.target.value) || false;
        await this.orm.call(MODEL, "set_plan", [this.state.partnerId, planId]);
        await this.refresh();
    }

    async toggleExcluded(line) {
        await this.orm.call(MODEL, "set_excluded", [line.move_id, !line.excluded]);
        await this.refresh();
    }

    /**
     * Odoo's date input calls this once a date is complete and valid (Enter,
     * leaving the field or the picker), never at each keystroke; what cannot be
     * read as a date is put back as it was.
     */
    async setExpectedDate(line, value) {
        const date = value ? serializeDate(value) : false;
        if (date === line.expected_date || (!date && !line.expected_date)) {
            return;
        }
        await this.orm.call(MODEL, "set_expected_date", [line.move_id, date]);
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
            // an action in the main area (the customer's history) leaves the screen
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

registry.category("actions").add(TAG, CustomerStatements);
