/** @odoo-module **/
// Placeholder replaced by the Customer statements client action.
