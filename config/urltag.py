"""`{% url %}` exactly as Django's, remembering what a URL name without arguments reverses to.

Every page's header and footer reverse the same eight names; reversing cost a third of
rendering the base layout. The answer depends only on the name, the current app (namespaced
URLs), the URLconf, the script prefix and the language, so those are the key; a name that does
not reverse still raises as before, and settings changes (tests' ROOT_URLCONF) clear it.
Installed as a template builtin (config.settings TEMPLATES), so templates keep writing {% url %}.
"""

from django import template
from django.core.signals import setting_changed
from django.template import defaulttags
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()
_urls: dict[tuple, str] = {}


class URLNode(defaulttags.URLNode):
    def render(self, context):
        if self.args or self.kwargs or self.asvar:
            return super().render(context)
        view_name = self.view_name.resolve(context)
        current_app = _current_app(context)
        key = (view_name, current_app, get_urlconf(), get_script_prefix(), get_language())
        if key not in _urls:
            _urls[key] = reverse(view_name, current_app=current_app)
        return conditional_escape(_urls[key]) if context.autoescape else _urls[key]


def _current_app(context):
    # As Django's URLNode: the request's current_app, else its resolved namespace.
    try:
        return context.request.current_app
    except AttributeError:
        try:
            return context.request.resolver_match.namespace
        except AttributeError:
            return None


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)


def clear(**kwargs) -> None:
    _urls.clear()


setting_changed.connect(clear)
