"""The 14-day notice to a consumer (Dutch law, art. 6:96 lid 6 BW), in plain
Python: its wording per language and medium.

The wording is the law's, fixed here rather than left to a translation: the
Hoge Raad (25 November 2016, ECLI:NL:HR:2016:2687) accepts a notice that
gives the consumer fourteen days "vanaf de dag nadat deze brief bij u is
bezorgd" (counting from the day after the notice reached them) and rejects
one that names a date that could be wrong; it must state the amount of the
collection costs. An e-mail says "na ontvangst van deze aanmaning" (after
receiving this reminder). Languages without a wording here get the English
one."""

NOTICE_WORDING = {
    "nl": {
        "letter": (
            "Betaalt u het openstaande bedrag van {principal} niet binnen veertien dagen vanaf de dag nadat "
            "deze brief bij u is bezorgd, dan bent u buitengerechtelijke incassokosten verschuldigd van "
            "{amount}{vat}."
        ),
        "email": (
            "Betaalt u het openstaande bedrag van {principal} niet binnen veertien dagen vanaf de dag na "
            "ontvangst van deze aanmaning, dan bent u buitengerechtelijke incassokosten verschuldigd van "
            "{amount}{vat}."
        ),
        "vat": ", vermeerderd met btw",
    },
    "en": {
        "letter": (
            "If you do not pay the outstanding amount of {principal} within fourteen days from the day after "
            "this letter has been delivered to you, you will owe extrajudicial collection costs of "
            "{amount}{vat}."
        ),
        "email": (
            "If you do not pay the outstanding amount of {principal} within fourteen days from the day after "
            "you receive this reminder, you will owe extrajudicial collection costs of {amount}{vat}."
        ),
        "vat": ", plus VAT",
    },
    "es": {
        "letter": (
            "Si no paga el importe pendiente de {principal} en el plazo de catorce días a contar desde el día "
            "siguiente a aquel en que esta carta le haya sido entregada, deberá abonar gastos de cobro "
            "extrajudiciales por importe de {amount}{vat}."
        ),
        "email": (
            "Si no paga el importe pendiente de {principal} en el plazo de catorce días a contar desde el día "
            "siguiente a la recepción de este recordatorio, deberá abonar gastos de cobro extrajudiciales por "
            "importe de {amount}{vat}."
        ),
        "vat": " más IVA",
    },
}


def notice_text(lang, medium, amount, principal, vat=False):
    """The notice's sentence in ``lang`` (an Odoo language code, e.g.
    "nl_NL"), for ``medium`` ("letter" or "email"), with ``amount`` (the
    collection costs) and ``principal`` already formatted."""
    wording = NOTICE_WORDING.get((lang or "en").split("_")[0], NOTICE_WORDING["en"])
    return wording[medium].format(principal=principal, amount=amount, vat=wording["vat"] if vat else "")
