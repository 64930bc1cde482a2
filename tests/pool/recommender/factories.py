"""Recommender test data: pools on a branch's lineage and beyond it, instructors with real topics."""

from dataclasses import dataclass

from pool.models import Category, Instructor, Pool
from tests.pool.factories import instructor, pool_for

ELDERLY = {
    "category": Category.MANAGEMENT,
    "topics": [{"title": "基层民生工作实务", "abstract": "社区和村居的民生服务"}],
    "bio": "长期从事居家养老服务体系和农村互助养老研究，参与编写养老机构管理规范。",
}
ECOMMERCE = {
    "category": Category.ECONOMY,
    "topics": [{"title": "农村电子商务实务"}, {"title": "农产品网络营销"}],
    "bio": "电子商务产业园负责人，帮助合作社开设网店、开展直播营销。",
}
FIRST_AID = {
    "category": Category.SKILLS,
    "topics": [{"title": "心肺复苏与AED使用"}, {"title": "常见意外伤害的现场处置"}],
    "bio": "急救中心主任医师，红十字会应急救护培训讲师。",
}
PARTY_HISTORY = {
    "category": Category.THEORY,
    "topics": [{"title": "中共党史专题"}, {"title": "伟大建党精神"}],
    "bio": "党校教授，研究中共党史和党的建设。",
}
LAW = {
    "category": Category.HUMANITIES,
    "topics": [{"title": "民法典合同编解读"}, {"title": "民间借贷纠纷的法律问题"}],
    "bio": "基层法院法官，审理大量民间借贷和婚姻家庭案件。",
}


@dataclass
class Pools:
    province: Pool
    city: Pool
    county: Pool
    sibling_county: Pool
    other_city: Pool


def pools_of(world) -> Pools:
    """The pools ``world.branch`` may book from (province, 南京市, 江宁区) and two it may not."""
    return Pools(
        province=pool_for(world.province),
        city=pool_for(world.city),
        county=pool_for(world.county),
        sibling_county=pool_for(world.sibling_county),
        other_city=pool_for(world.other_city),
    )


def teacher(pool: Pool, profile: dict, **fields) -> Instructor:
    """An active instructor of ``pool`` with one of the profiles above."""
    return instructor(pool, **{**profile, **fields})
