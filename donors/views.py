# Placeholder while the profile views are written (being replaced in this same change).
from django.http import HttpResponse


def profile(request):
    return HttpResponse("")


profile_edit = profile_pause = profile
