"""What every web process needs to know to keep its recommender index fresh (app label ``pool``).

Each process builds its own index in memory; the database holds the version that says whether it is
still current: ``IndexVersion`` (one row) is bumped after every committed change of instructors, and
``IndexChange`` logs which instructors each version changed, so a process that is behind reloads only
those. The rows are written by ``pool.recommender.live`` and never by hand.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IndexVersion(models.Model):
    """The current version of the instructors' recommender data (a single row, ``pk=1``).

    ``token`` is random per row: a process whose index was built against another row (another
    database, or a table that was emptied) rebuilds instead of trusting equal version numbers.
    """

    token = models.CharField(_("token"), max_length=32)
    version = models.PositiveBigIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("recommender index version")
        verbose_name_plural = _("recommender index versions")

    def __str__(self) -> str:
        return f"{self.version} ({self.token[:8]})"


class IndexChange(models.Model):
    """The instructors one version changed (kept for the last ``live.CHANGES_KEPT`` versions)."""

    version = models.PositiveBigIntegerField(_("version"), unique=True)
    instructor_ids = models.JSONField(_("instructor ids"), default=list)
    change = models.CharField(_("change"), max_length=20)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("recommender index change")
        verbose_name_plural = _("recommender index changes")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.version}: {self.change} ({len(self.instructor_ids)})"
