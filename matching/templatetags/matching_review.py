"""How staff read a match's score: the stored explanation as a table with bars. The one
rendering, shared by the Match admin and the staff review pages
(`{{ explanation|explanation_table }}`).
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


def _level(value):
    return "—" if value is None else str(value)


def _skill_row(skill):
    detail = _("minimum %(min)s, has %(level)s") % {
        "min": skill["min_level"],
        "level": _level(skill["level"]),
    }
    if skill.get("near_miss"):
        detail += " " + _("(near miss)")
    kind = _("required") if skill["required"] else _("nice to have")
    return (skill["skill"], kind, detail, skill["points"], skill["max_points"])


@register.filter
def explanation_table(explanation: dict):
    """The stored explanation as a table: one row per skill and per modifier, with a bar."""
    if not explanation:
        return "—"
    rows = [_skill_row(s) for s in explanation.get("skills", [])] + [
        (m["label"], _("modifier"), m["detail"], m["points"], m["max_points"])
        for m in explanation.get("modifiers", [])
    ]
    body = format_html_join(
        "",
        "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td>"
        "<td><meter min='0' max='{}' value='{}'>{} / {}</meter></td></tr>",
        ((name, kind, detail, pts, top, pts, pts, top) for name, kind, detail, pts, top in rows),
    )
    missing = explanation.get("missing_required") or []
    return format_html(
        "<table class='match-explanation'><caption>{}{}</caption>"
        "<thead><tr><th scope='col'>{}</th><th scope='col'>{}</th>"
        "<th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th></tr>"
        "</thead><tbody>{}</tbody></table>",
        _("Scoring version %(version)s: %(score)s points")
        % {"version": explanation.get("version", "?"), "score": explanation.get("score", "?")},
        format_html("; {} {}", _("missing:"), ", ".join(missing)) if missing else "",
        _("Factor"),
        _("Kind"),
        _("Detail"),
        _("Points"),
        _("Of"),
        body,
    )
