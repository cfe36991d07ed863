from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "huhang.benefits"
    label = "benefits"
    verbose_name = _("保障资金")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from huhang.benefits import scope  # noqa: F401  (registers the app's visibility rules)
        from huhang.benefits.payroll import services as payroll
        from huhang.core import crypto, jobs

        jobs.runner("payroll_compute", payroll.run_compute_job)

        # `huhang keys rotate` re-encrypts the payees' accounts. The lines of approved payroll
        # runs are frozen (a trigger): their copies stay readable through HUHANG_FIELD_KEYS_OLD.
        crypto.register_token_column("benefits.Payee", "account_cipher")

        # The programmes and the month calendar are reference data the computation needs; a
        # test database flush empties them, and post_migrate (sent after every flush) refills.
        post_migrate.connect(ensure_reference_data, sender=self)


def ensure_reference_data(sender, using="default", **kwargs) -> None:
    from datetime import date

    from huhang.benefits import reference

    Calendar = sender.get_model("Calendar")
    Programme = sender.get_model("Programme")
    if not Calendar.objects.using(using).exists():
        Calendar.objects.using(using).bulk_create(
            Calendar(month=date(y, m, 1), school_year_start=m == reference.SCHOOL_YEAR_MONTH)
            for y in range(2000, 2100)
            for m in range(1, 13)
        )
    for code, name, frequency, category, living in reference.PROGRAMMES:
        Programme.objects.using(using).get_or_create(
            code=code,
            defaults={"name": name, "frequency": frequency, "category": category, "living": living},
        )
