from accounts.privacy import register
from donors.models import Conflict, Donor, DonorLanguage, DonorSkill

register(
    Donor,
    rows=lambda u: Donor.objects.filter(user=u),
    # Skills are their own section, with levels; the region by its name, not its ISO code.
    internal=("user", "skills"),
    section="Your volunteer profile",
    values={"region": lambda donor: donor.region_name},
)
register(
    DonorSkill,
    rows=lambda u: DonorSkill.objects.filter(donor__user=u).select_related("skill"),
    internal=("donor",),
    section="Your skills",
)
register(
    DonorLanguage,
    rows=lambda u: DonorLanguage.objects.filter(donor__user=u),
    internal=("donor", "code"),
    section="Your languages",
    values={"language": lambda language: language.name},
)
# The normalised name is the matching key, a copy of the name as typed.
register(
    Conflict,
    rows=lambda u: Conflict.objects.filter(donor__user=u),
    internal=("donor", "normalized_name"),
    section="Employers you must not be matched against",
)
