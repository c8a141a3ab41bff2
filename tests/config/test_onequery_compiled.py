"""onequery.Compiled: the queryset's rows for each value, from SQL compiled (and, on PostgreSQL,
prepared) once; instances as the queryset makes them."""

import pytest

from accounts.models import User
from config import onequery
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def emails(pk):
    return User.objects.filter(pk=pk).values_list("email")


def test_compiled_rows_for_each_value_one_query_each(django_assert_num_queries):
    first, second = UserFactory(), UserFactory()
    compiled = onequery.Compiled(emails)

    with django_assert_num_queries(3):
        rows = [compiled.rows(first.pk), compiled.rows(second.pk), compiled.rows(first.pk)]

    assert rows == [[(first.email,)], [(second.email,)], [(first.email,)]]


def test_compiled_twice_with_the_same_sql_both_answer():
    user = UserFactory()

    # Equal SQL is one prepared statement on PostgreSQL: the second must not prepare it again.
    answers = [onequery.Compiled(emails).rows(user.pk) for _ in range(2)]

    assert answers == [[(user.email,)]] * 2


def test_compiled_instances_are_the_querysets():
    user = UserFactory(display_name="Ana")
    compiled = onequery.Compiled(lambda pk: User.objects.filter(pk=pk))

    (loaded,) = compiled.instances(compiled.rows(user.pk))

    assert (loaded.pk, loaded.email, loaded.display_name) == (user.pk, user.email, "Ana")
    assert loaded._state.adding is False


def test_compiled_of_sql_that_changes_with_the_value_refuses():
    compiled = onequery.Compiled(lambda n: User.objects.filter(pk__in=range(-n)))

    with pytest.raises(ValueError, match="differs"):
        compiled.rows(1)
