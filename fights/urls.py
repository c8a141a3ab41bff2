from django.urls import path

from fights.views import public

app_name = "fights"

urlpatterns = [
    path("fights/", public.request_list, name="list"),
    path("fights/feed.atom", public.feed_atom, name="feed_atom"),
    path("fights/feed.json", public.feed_json, name="feed_json"),
    path("fights/<slug:slug>/", public.fight_detail, name="fight"),
    path("fights/<slug:slug>/requests/<int:pk>/", public.request_detail, name="request"),
]
