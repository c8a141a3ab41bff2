from django.urls import path

from fights import organizer_views as organizer
from fights.views import public

app_name = "fights"

urlpatterns = [
    path("fights/", public.request_list, name="list"),
    path("fights/feed.atom", public.feed_atom, name="feed_atom"),
    path("fights/feed.json", public.feed_json, name="feed_json"),
    path("fights/<slug:slug>/", public.fight_detail, name="fight"),
    path("fights/<slug:slug>/requests/<int:pk>/", public.request_detail, name="request"),
    # The organizer side (fights/organizer_views.py); /organizers/ itself is accounts:organizers.
    path("organizers/dashboard/", organizer.dashboard, name="dashboard"),
    path(
        "organizers/organizations/new/",
        organizer.organization_create,
        name="organization_create",
    ),
    path("organizers/organizations/<slug:slug>/members/", organizer.members, name="members"),
    path(
        "organizers/organizations/<slug:slug>/fights/new/",
        organizer.fight_create,
        name="fight_create",
    ),
    path("organizers/organizations/<slug:slug>/guided/", organizer.guided, name="guided"),
    path("organizers/invitations/<str:token>/", organizer.invitation, name="invitation"),
    path("organizers/fights/<slug:slug>/", organizer.fight_manage, name="organizer_fight"),
    path("organizers/fights/<slug:slug>/edit/", organizer.fight_edit, name="fight_edit"),
    path("organizers/fights/<slug:slug>/status/", organizer.fight_status, name="fight_status"),
    path(
        "organizers/fights/<slug:slug>/requests/new/",
        organizer.request_create,
        name="request_create",
    ),
    path("organizers/requests/<int:pk>/edit/", organizer.request_edit, name="request_edit"),
    path("organizers/requests/<int:pk>/open/", organizer.request_open, name="request_open"),
    path("organizers/requests/<int:pk>/fill/", organizer.request_fill, name="request_fill"),
    path("organizers/requests/<int:pk>/close/", organizer.request_close, name="request_close"),
    path("organizers/requests/<int:pk>/cancel/", organizer.request_cancel, name="request_cancel"),
]
