"""A small explicit state machine shared by the apps' stateful models.

A model lists its allowed moves as data (``TRANSITIONS``) and changes status only through
``transition_to``, which writes one history row per change (after django-oscar's ``set_status``).
"""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import InvalidTransition


class StatusChange(models.Model):
    """Abstract history row: who moved what from which status to which, when and why."""

    from_status = models.CharField(_("from status"), max_length=32, blank=True)
    to_status = models.CharField(_("to status"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


class StateMachineMixin(models.Model):
    """Mixin for a model with a ``status`` field, a ``TRANSITIONS`` table and a history model.

    Subclasses set ``TRANSITIONS`` (``{from: {to, ...}}``), ``history_model`` (a concrete
    ``StatusChange``) and ``history_subject_field`` (the history row's foreign key to this model).
    """

    TRANSITIONS: ClassVar[dict[str, set[str]]] = {}
    history_subject_field: ClassVar[str] = "subject"

    class Meta:
        abstract = True

    @classmethod
    def history_model(cls) -> type[StatusChange]:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    def allowed_transitions(self) -> set[str]:
        return set(self.TRANSITIONS.get(self.status, set()))

    def transition_to(self, status: str, *, actor=None, reason: str = "", save_fields=(), **history: Any):
        """Move to ``status`` or raise InvalidTransition; saves the status and writes a history row.

        ``save_fields`` names other fields the caller changed and wants saved in the same write.
        """
        if not self.can_transition_to(status):
            raise InvalidTransition(
                model_label=str(self._meta.verbose_name),
                from_status=str(self.get_status_display()),
                to_status=str(dict(self._meta.get_field("status").flatchoices).get(status, status)),
            )
        old = self.status
        self.status = status
        fields = ["status", *save_fields]
        if any(f.name == "updated_at" for f in self._meta.concrete_fields):
            fields.append("updated_at")
        self.save(update_fields=fields)
        return self.history_model().objects.create(
            **{self.history_subject_field: self},
            from_status=old,
            to_status=status,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            reason=reason,
            **history,
        )
