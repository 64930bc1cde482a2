"""A dump of the whole database holds no full ID number and no full phone number."""

import re

import pytest
from django.core.management import call_command
from django.db import connection

from members import services
from members.models import Activist, Member
from orgs.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# Numbers as they stand in text, not digits inside something else: the organization tree's materialized
# paths are digit strings of 4n characters, and the decimals of a fraction or a hex or base64 key, hash or
# ciphertext can hold a phone-like run by chance (a CI run once matched "13204146431", which was nobody's
# number). Each person's own numbers are looked for anywhere in the dump, bounded or not.
FULL_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
FULL_PHONE = re.compile(r"(?<![0-9A-Za-z.])1[3-9]\d{9}(?![0-9A-Za-z])")


def _dump() -> str:
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            lines.extend(f"{table}: {row!r}" for row in cursor.fetchall())
    return "\n".join(lines)


def test_database_dump_has_no_full_id_or_phone_number(db):
    call_command("seed_demo", verbosity=0)
    secretary = User.objects.get(username="secretary")
    member = Member.objects.filter(branch__full_name="东山街道佳湖社区党支部").first()
    services.personal_data_reveal(actor=secretary, subject=member, field="id_number", reason="核对身份")
    client_for(secretary).get("/api/v1/members/export/")
    people = [*Member.objects.all(), *Activist.objects.all()]
    assert len(people) > 150

    dump = _dump()

    leaked = [p.pk for p in people if p.id_number in dump or (p.phone and p.phone in dump)]
    assert leaked == []
    assert FULL_ID.findall(dump) == []
    assert [dump[max(0, m.start() - 60) : m.end() + 20] for m in FULL_PHONE.finditer(dump)] == []
    assert "enc1:" in dump
