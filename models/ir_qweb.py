"""The reminders' bodies compiled once, not once per customer.

Odoo renders a mail template's body by compiling its QWeb source for every
record (``mail.render.mixin._render_template_qweb`` hands ``ir.qweb`` a new
element each time, and an element is never cached, unlike a view): for a
batch of reminders, compiling the same body again was a tenth of each
customer's time. When asked (``followup_compile_cache`` in the context, see
``followup/channels/email.py``), the source is compiled once and kept in
Odoo's template cache, keyed by the source and the options the compilation
depends on; the compiled template renders each customer's values as before.
"""

from lxml import etree

from odoo import api, models, tools


class IrQweb(models.AbstractModel):
    _inherit = "ir.qweb"

    def _compile(self, template):
        if self.env.context.get("followup_compile_cache") and isinstance(template, etree._Element):
            keys = (*self._get_template_cache_keys(), "raise_on_code")
            return self._compile_followup_source(
                etree.tostring(template), tuple(self.env.context.get(key) for key in keys)
            )
        return super()._compile(template)

    @api.model
    @tools.ormcache("source", "options", cache="templates")
    def _compile_followup_source(self, source, options):
        """The compiled functions of a QWeb source (see ``_compile``); cached
        for the source and ``options`` (the context values the compilation
        reads)."""
        return super()._compile(etree.fromstring(source))
