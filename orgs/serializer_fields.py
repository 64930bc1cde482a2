"""Serializer fields shared by the apps' APIs."""

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.STR)
class ChoiceLabelField(serializers.Field):
    """The label of a model field's choice, as ``get_<field>_display()`` gives it (in the active
    language). Read from the field's choices directly: with ``source="get_<field>_display"`` DRF inspects
    the bound method's signature on every row, which costs more than the rest of the row together."""

    _labels: dict = {}

    def __init__(self, model_field: str, **kwargs):
        self.model_field = model_field
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, instance):
        field = instance._meta.get_field(self.model_field)
        labels = self._labels.get(field)
        if labels is None:
            labels = self._labels[field] = dict(make_hashable(field.flatchoices))
        value = getattr(instance, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)
