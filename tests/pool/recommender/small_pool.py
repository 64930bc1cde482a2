"""A small hand-written pool (not the dev set) for the topic index's tests; pure Python."""

from pool.recommender import InstructorDoc


def _doc(i: int, category: str, topics: list[str], bio: str, employer: str = "", title: str = "") -> InstructorDoc:
    return InstructorDoc(
        id=i,
        code=f"T{i:03d}",
        name=f"讲师{i}",
        category=category,
        subareas=[],
        topics=[(t, "") for t in topics],
        bio=bio,
        employer=employer,
        title=title,
    )


SMALL_POOL = [
    _doc(
        1,
        "综合管理",
        ["居家养老服务体系建设", "医养结合的探索"],
        "长期从事社区居家养老和农村养老服务研究，参与编写养老机构管理规范。",
        "某市民政局",
        "一级调研员",
    ),
    _doc(
        2,
        "技能素养",
        ["果树整形修剪技术", "果园病虫害绿色防控"],
        "农技推广研究员，多年在果园一线指导果农。",
        "某县农业农村局",
        "高级农艺师",
    ),
    _doc(
        3,
        "经济发展",
        ["农村电子商务实务", "农产品品牌与网络营销"],
        "电子商务产业园负责人，帮助合作社开设网店、开展直播营销。",
        "某电子商务产业园",
    ),
    _doc(
        4,
        "人文社科",
        ["民法典合同编解读", "民间借贷纠纷的法律问题"],
        "基层法院法官，审理大量民间借贷和婚姻家庭案件。",
        "某县人民法院",
        "法官",
    ),
    _doc(
        5,
        "综合管理",
        ["防汛抗旱应急预案编制", "基层应急管理能力建设"],
        "应急管理局干部，多次参与防汛抢险和应急演练组织。",
        "某区应急管理局",
    ),
    _doc(6, "理论政策", ["中共党史专题", "伟大建党精神"], "党校教授，研究中共党史和党的建设。", "某市委党校", "教授"),
    _doc(
        7,
        "技能素养",
        ["心肺复苏与AED使用", "常见意外伤害的现场处置"],
        "急救中心主任医师，红十字会应急救护培训讲师。",
        "某市急救中心",
        "主任医师",
    ),
    _doc(
        8,
        "先进模范",
        ["我的劳模之路", "工匠精神事迹报告"],
        "全国劳动模范，数控车间高级技师，几十年扎根生产一线。",
        "某机械厂",
        "高级技师",
    ),
]
