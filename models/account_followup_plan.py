from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

# The customer's follow-up situation, computed from its plan: no plan's filter
# may use it (see _check_filter_fields).
FOLLOWUP_SITUATION_FIELDS = ("followup_status", "followup_level_id", "followup_next_action_date")


class AccountFollowupPlan(models.Model):
    """A ladder of follow-up levels for a segment of a company's customers
    (businesses, consumers, public authorities...).

    Every company has a default plan (``res.company.followup_default_plan_id``,
    the one the module creates); a company adds plans for its segments. A
    customer follows the plan a person chose for it
    (``res.partner.followup_plan_id``), else the first active plan of the
    company, by sequence, whose filter matches it, else the default plan."""

    _name = "account.followup.plan"
    _description = "Payment Follow-up Plan"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    sequence = fields.Integer(
        default=10,
        help="Plans are tried in this order: a customer follows the first whose filter matches it.",
    )
    active = fields.Boolean(default=True)
    filter_domain = fields.Char(
        string="Customers",
        help="The customers this plan applies to (their commercial entity). Empty: every customer.",
    )
    level_ids = fields.One2many(
        "account.followup.level",
        "plan_id",
        string="Levels",
        context={"active_test": False},
    )
    level_count = fields.Integer(compute="_compute_level_count")
    is_default = fields.Boolean(
        string="Default Plan",
        compute="_compute_is_default",
        help="The plan of the customers no other plan matches (and of the company's new levels).",
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("level_ids")
    def _compute_level_count(self):
        for plan in self:
            plan.level_count = len(plan.level_ids.filtered("active"))

    @api.depends("company_id.followup_default_plan_id")
    def _compute_is_default(self):
        for plan in self:
            plan.is_default = plan.company_id.followup_default_plan_id == plan

    # ------------------------------------------------------------
    # CONSTRAINT METHODS
    # ------------------------------------------------------------

    @api.constrains("filter_domain")
    def _check_filter_domain(self):
        for plan in self:
            try:
                domain = plan._get_filter_domain()
                if not isinstance(domain, list | tuple):
                    # the ORM only asserts it (an AssertionError, no message for a user)
                    raise ValueError(_("a filter is a list of conditions, not %s", plan.filter_domain))
                plan._check_filter_fields(self.env["res.partner"], domain)
                self.env["res.partner"]._search(domain)
            except (SyntaxError, NameError, ValueError, TypeError, KeyError, UserError) as error:
                raise ValidationError(
                    _(
                        "The customers' filter of the follow-up plan “%(plan)s” is not valid: %(error)s",
                        plan=plan.name,
                        error=error,
                    )
                ) from error

    @api.constrains("active", "company_id")
    def _check_default_plan(self):
        """A company's default plan stays active and in that company: it is
        the plan of every customer no other plan takes."""
        companies = self.env["res.company"].sudo().search([("followup_default_plan_id", "in", self.ids)])
        for company in companies:
            plan = company.followup_default_plan_id
            if not plan.active:
                raise ValidationError(
                    _("“%s” is the company's default follow-up plan: it cannot be archived.", plan.name)
                )
            if plan.company_id != company:
                raise ValidationError(
                    _(
                        "“%(plan)s” is the default follow-up plan of %(company)s: it stays in that company.",
                        plan=plan.name,
                        company=company.name,
                    )
                )

    def _check_filter_fields(self, model, domain):
        """Raise ValueError when a condition of ``domain`` (on ``model``) names
        a field the ORM cannot search (it would silently drop the condition:
        the plan would take every customer) or the customer's follow-up
        situation, which is computed from the plans (the filter would decide
        its own plan, endlessly)."""
        for leaf in domain:
            if not isinstance(leaf, list | tuple) or len(leaf) != 3 or not isinstance(leaf[0], str):
                continue  # operators, constant leaves; the ORM checks the rest
            current = model
            for name in leaf[0].split("."):
                field = current._fields.get(name)
                if field is None:
                    break  # the ORM says which field does not exist
                if current._name == "res.partner" and name in FOLLOWUP_SITUATION_FIELDS:
                    raise ValueError(
                        _(
                            "“%s” is computed from the follow-up plans: a plan cannot choose its customers by it",
                            field._description_string(self.env),
                        )
                    )
                if not field._description_searchable:
                    raise ValueError(_("“%s” cannot be searched", field._description_string(self.env)))
                if field.relational:
                    current = self.env[field.comodel_name]
            if leaf[1] in ("any", "not any") and isinstance(leaf[2], list | tuple):
                self._check_filter_fields(current, leaf[2])

    @api.constrains("company_id")
    def _check_levels_company(self):
        """A plan moves to another company only without levels: its levels
        (and the history that names them) stay in their company."""
        for plan in self:
            other = plan.level_ids.filtered(lambda level, plan=plan: level.company_id != plan.company_id)
            if other:
                raise ValidationError(
                    _(
                        "The follow-up plan “%(plan)s” has levels of %(company)s: it stays in that company. "
                        "Create a plan in %(new)s instead.",
                        plan=plan.name,
                        company=other[0].company_id.name,
                        new=plan.company_id.name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD METHODS
    # ------------------------------------------------------------

    @api.ondelete(at_uninstall=False)
    def _unlink_except_default(self):
        for plan in self:
            if plan.is_default:
                raise UserError(_("“%s” is the company's default follow-up plan: it cannot be deleted.", plan.name))

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _get_filter_domain(self):
        """The plan's filter as a domain on customers ([] for every customer)."""
        self.ensure_one()
        return safe_eval(self.filter_domain) if self.filter_domain else []

    @api.model
    def _get_partner_plan_sql(self, company, partner_id, plans=None, chosen=None):
        """SQL of the plan id of the customer whose id is ``partner_id`` (an SQL
        expression) in ``company``: the plan a person chose for it in the
        company, else the first active plan by sequence whose filter matches
        it, else the company's default plan.

        Set-based: each plan's filter is a sub-query evaluated once for all the
        customers of the query, never per customer, and the customer's choice is
        read from its company-dependent value in the same query; the number of
        queries does not grow with the number of plans. Plans of another
        company never apply.

        :param plans: the company's active plans, when the caller read them
        :param chosen: SQL of the plan chosen for the customer, when the query
            joins :meth:`_get_chosen_plans_sql` (a hash join rather than a
            sub-query per customer, for queries over all the customers)
        """
        plans = self._get_company_plans(company) if plans is None else plans.sorted(lambda p: (p.sequence, p.id))
        Partner = self.env["res.partner"]
        cases = []
        for plan in plans:
            domain = plan._get_filter_domain()
            if not domain:
                cases.append(SQL("WHEN TRUE THEN %s", plan.id))
                break
            # Sudo, archived included: the filter decides which plan applies to a
            # customer, whatever the user may read of other contacts.
            query = Partner.sudo().with_context(active_test=False)._search(domain)
            cases.append(SQL("WHEN %s IN %s THEN %s", partner_id, query.subselect(), plan.id))
        # The default plan read by the query itself (no query of its own).
        matched = SQL("(SELECT followup_default_plan_id FROM res_company WHERE id = %s)", company.id)
        if cases:
            matched = SQL("CASE %s ELSE %s END", SQL(" ").join(cases), matched)
        if chosen is not None:
            return SQL("COALESCE(%s, %s)", chosen, matched)
        field_id = self.env["ir.model.fields"]._get("res.partner", "followup_plan_id").id
        return SQL(
            """COALESCE((
                SELECT chosen.id
                  FROM ir_property prop
                  JOIN account_followup_plan chosen
                    ON prop.value_reference = 'account.followup.plan,' || chosen.id
                 WHERE prop.fields_id = %(field_id)s
                   AND prop.company_id = %(company)s
                   AND prop.res_id = 'res.partner,' || %(partner_id)s
                   AND chosen.company_id = %(company)s
                   AND chosen.active
                 LIMIT 1
            ), %(matched)s)""",
            field_id=field_id,
            company=company.id,
            partner_id=partner_id,
            matched=matched,
        )

    @api.model
    def _get_chosen_plans_sql(self, company):
        """SQL of the plans persons chose for customers in ``company``
        (``partner_id``, ``plan_id``): the rows :meth:`_get_partner_plan_sql`
        reads for one customer, for all of them at once."""
        field_id = self.env["ir.model.fields"]._get("res.partner", "followup_plan_id").id
        return SQL(
            """
            SELECT DISTINCT ON (prop.res_id) substr(prop.res_id, %(offset)s)::integer AS partner_id,
                   chosen.id AS plan_id
              FROM ir_property prop
              JOIN account_followup_plan chosen
                ON prop.value_reference = 'account.followup.plan,' || chosen.id
             WHERE prop.fields_id = %(field_id)s
               AND prop.company_id = %(company)s
               AND prop.res_id LIKE %(pattern)s
               AND chosen.company_id = %(company)s
               AND chosen.active
          ORDER BY prop.res_id
            """,
            offset=len("res.partner,") + 1,
            pattern="res.partner,%",
            field_id=field_id,
            company=company.id,
        )

    @api.model
    def _get_partner_plan_ids(self, company, partner_ids):
        """{commercial partner id: plan id} of these customers in ``company``
        (see :meth:`_get_partner_plan_sql`), one query."""
        if not partner_ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT p.id, %s FROM res_partner p WHERE p.id = ANY(%s)",
                self._get_partner_plan_sql(company, SQL("p.id")),
                list(partner_ids),
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _get_company_plans(self, company):
        """The company's active plans, in the order they are tried."""
        return (
            self.sudo()
            .search_fetch([("company_id", "=", company.id)], ["sequence", "filter_domain"], order="sequence, id")
            .sudo(False)
        )
