import pytest

from orgs.models import Organization
from orgs.services import org_bulk_create
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_token_for_good_credentials_then_orgs_with_it(world, api):
    admin = world.admin(world.county, username="county_admin")

    token = api.post("/api/v1/auth/token/", {"username": "county_admin", "password": "pass12345"}, format="json")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    response = api.get("/api/v1/orgs/")

    assert token.status_code == 200
    assert response.status_code == 200
    assert response.json()["count"] == admin.roles.get().organization.subtree().count()


def test_token_for_wrong_password_is_a_400_with_the_reason(world, api):
    world.admin(world.county, username="county_admin")

    response = api.post("/api/v1/auth/token/", {"username": "county_admin", "password": "nope"}, format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_token_without_fields_names_the_missing_fields(api, db):
    response = api.post("/api/v1/auth/token/", {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_no_token_is_401(api, db):
    response = api.get("/api/v1/orgs/")

    assert response.status_code == 401
    assert response.has_header("WWW-Authenticate")


def test_bad_token_is_401(api, db):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert api.get("/api/v1/orgs/").status_code == 401


def test_county_admin_lists_only_its_county_subtree(world):
    client = client_for(world.admin(world.county))

    results = client.get("/api/v1/orgs/", {"page_size": 100}).json()["results"]

    assert sorted(r["name"] for r in results) == sorted(
        ["江宁区", "东山街道党工委", "佳湖社区党支部", "上坊村党支部", "第一党小组"]
    )


def test_secretary_lists_only_its_branch(world):
    client = client_for(world.secretary(world.branch))

    results = client.get("/api/v1/orgs/").json()["results"]

    assert [r["name"] for r in results] == ["佳湖社区党支部", "第一党小组"]


def test_sibling_org_detail_is_404(world):
    client = client_for(world.admin(world.county))

    assert client.get(f"/api/v1/orgs/{world.sibling_county.pk}/").status_code == 404
    assert client.get(f"/api/v1/orgs/{world.branch.pk}/").status_code == 200


def test_filters_by_kind_and_parent(world):
    client = client_for(world.admin(world.city))

    counties = client.get("/api/v1/orgs/", {"kind": "county"}).json()["results"]
    children = client.get("/api/v1/orgs/", {"parent": world.committee.pk}).json()["results"]

    assert sorted(r["name"] for r in counties) == ["江宁区", "玄武区"]
    assert sorted(r["name"] for r in children) == ["上坊村党支部", "佳湖社区党支部"]
    assert all(r["parent"] == world.committee.pk for r in children)


def test_bad_filter_value_is_400_not_500(world):
    client = client_for(world.admin(world.city))

    assert client.get("/api/v1/orgs/", {"kind": "planet"}).status_code == 400
    assert client.get("/api/v1/orgs/", {"parent": "abc"}).status_code == 400
    # `page` is documented as an integer from 1: anything else is bad input; a page past the end is 404.
    assert client.get("/api/v1/orgs/", {"page": "zz"}).status_code == 400
    assert client.get("/api/v1/orgs/", {"page": "999"}).status_code == 404


def test_me_lists_the_callers_roles(world):
    user = world.admin(world.county)

    me = client_for(user).get("/api/v1/me/").json()

    assert me["roles"] == [{"role": "org_admin", "organization": world.county.pk, "organization_name": "南京市江宁区"}]


@pytest.mark.parametrize("extra", [1, 40])
def test_org_list_query_count_does_not_grow_with_rows(world, django_assert_num_queries, extra):
    org_bulk_create(parent=world.committee, children=[{"name": f"支部{i}", "kind": "branch"} for i in range(extra)])
    client = client_for(world.admin(world.county))
    client.get("/api/v1/orgs/")  # warm the token lookup path

    # token auth, roles, count, page
    with django_assert_num_queries(4):
        response = client.get("/api/v1/orgs/", {"page_size": 100})

    assert response.json()["count"] == Organization.objects.filter(path__startswith=world.county.path).count()


def test_schema_and_docs_are_served(api, db):
    assert api.get("/api/schema/").status_code == 200
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert 'src="http' not in html
    assert 'href="http' not in html


def test_user_without_roles_gets_an_empty_list(db):
    assert client_for(UserFactory()).get("/api/v1/orgs/").json()["count"] == 0


def test_an_unknown_api_path_is_a_json_404(world):
    client = client_for(world.admin(world.county))

    response = client.get("/api/v1/orgs/1/no-such-action/")

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("value", ["0", "-1", "abc", "null", "201", ""])
def test_a_malformed_page_size_is_a_400(world, value):
    client = client_for(world.admin(world.county))

    response = client.get("/api/v1/orgs/", {"page_size": value})

    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


def test_documented_non_blank_text_is_what_the_api_keeps_after_trimming(api, db):
    """A required text input is documented by a pattern for "a character that is not blank". ECMA's
    ``\\S`` counted U+001E as text (DRF trims it: a topic of just U+001E was refused as blank) and
    U+FEFF as blank (DRF keeps it)."""
    import re

    schema = api.get("/api/schema/", {"format": "json"}).json()
    pattern = schema["components"]["schemas"]["QuestionAskRequest"]["properties"]["text"]["pattern"]
    # \s and \S mean different sets in ECMA (the schema's dialect) and Python: the class is spelled out.
    assert "\\s" not in pattern.lower()
    differ = [
        hex(code)
        for code in range(0x10000)
        if not 0xD800 <= code < 0xE000 and bool(re.search(pattern, chr(code))) != bool(chr(code).strip())
    ]
    assert differ == []
