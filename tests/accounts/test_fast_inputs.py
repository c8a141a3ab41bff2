"""The account forms' inputs render in Python (accounts.forms.render_input) exactly as Django's
input.html/attrs.html templates would."""

import pytest
from django import forms

from accounts.forms import LoginForm, SignupForm, render_input


@pytest.mark.parametrize(
    ("widget", "value", "attrs"),
    [
        (forms.EmailInput(attrs={"autocomplete": "email"}), 'a<b>"@x', {"required": True}),
        (forms.PasswordInput(), "secret", {"aria-invalid": "true", "aria-describedby": "x y"}),
        (forms.PasswordInput(render_value=True), "s&cret", {"disabled": False}),
        (forms.CheckboxInput(), True, {"id": "id_remember"}),
        (forms.CheckboxInput(), False, None),
        (forms.TextInput(), None, {"data-n": 3}),
    ],
)
def test_render_input_is_the_templates_markup(widget, value, attrs):
    assert render_input(widget, "field", value, attrs) == widget.render("field", value, attrs)


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", [LoginForm, SignupForm])
def test_account_forms_use_it_for_every_plain_input(rf, form_class):
    request = rf.get("/")
    form = form_class(request=request) if form_class is LoginForm else form_class()
    rendered = [name for name, field in form.fields.items() if "render" in vars(field.widget)]
    assert rendered == [n for n, f in form.fields.items() if not f.widget.is_hidden]
