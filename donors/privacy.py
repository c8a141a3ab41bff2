from accounts.privacy import register
from donors.models import Conflict, Donor, DonorLanguage, DonorSkill

register(Donor, rows=lambda u: Donor.objects.filter(user=u))
register(DonorSkill, rows=lambda u: DonorSkill.objects.filter(donor__user=u))
register(DonorLanguage, rows=lambda u: DonorLanguage.objects.filter(donor__user=u))
register(Conflict, rows=lambda u: Conflict.objects.filter(donor__user=u))
